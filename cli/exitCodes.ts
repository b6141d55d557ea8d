/** The exit codes of `veil` (the README's "Exit codes" lists them): the one place they are numbered. */
export const EXIT = {
  /** Everything worked. For `commit`: every file that can hold a face is anonymized or excluded. */
  ok: 0,
  /**
   * The command failed, or a file of a batch failed (`detect`), or `verify` has findings. For `policy init|apply`,
   * `signer create` and `checkpoint sign`: refused, nothing written (a policy that exists already or is malformed,
   * named with its field; a key path inside a dataset; a key that is no Ed25519 key; an empty audit log).
   */
  failed: 1,
  /** A usage error (unknown command or option, a missing argument). */
  usage: 2,
  /** `commit` ran, but left files as they were (each listed with why): the dataset is not anonymized yet. */
  leftAsIs: 3,
  /** `audit` read the log and flagged something (each flag listed): for cron and CI, apart from a failed run (1). */
  flagged: 4,
  /**
   * `status --require reviewed|committed`: the dataset falls short (images unreviewed, not committed, or failing to be
   * read; each counted and listed): for a pre-commit hook or a CI job, apart from a failed run (1).
   */
  requirementUnmet: 5,
} as const;
