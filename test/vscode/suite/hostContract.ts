/**
 * The behaviours the extension-host suite proves, by title: the suite names its tests with these, and the
 * Node-side test (vscode.test.ts) reports each one from the host's results, so a failure inside VS Code
 * shows up under the same name outside it.
 */
export const HOST_TESTS = {
  activation: 'activates and registers every command it contributes',
  detection: 'detecting faces in a folder proposes faces and saves them in .veil/review.json',
  review: 'opening the review of a folder shows its review webview',
  badImage: 'an undecodable image is reported as a failure naming the file while the other images are detected',
  failureRetry: 'a failed command shows its cause with Retry, which runs it again on the same target',
  restart: 'a killed daemon is restarted and the next command succeeds',
  startFailed: 'a daemon whose initialize fails shows "start failed" with the cause, and the next command starts it again',
  reviewer: 'a new reviewer name is recorded in the audit log at once, without a daemon restart',
  verifyProgress: 'verifying a dataset shows progress through its images up to 100 %',
  verifyCancel: 'cancelling a verification stops it in the daemon and shows no error',
  reviewReload: 'an open review loads its dataset again after the daemon restarts',
  viewListsDataset: "the Veil view lists the workspace's dataset once its faces were detected, with its images counted by status",
  viewFollowsOtherProcess: "a commit made by another process (the CLI) shows up in the Veil view's counts",
  viewDatasetActions: "the Veil view's dataset actions (open folder, detect, commit, verify, audit trail) act on the item they are invoked on",
  commitAsksWithCounts: 'a commit asks first with the counts and the mode; without recipients it says to create a key and asks nothing',
  viewImageClick: 'clicking an image in the Veil view opens the review at that image, in a new and in an open review',
  panelPerDataset: 'a second dataset opens a second review panel named for it, the same dataset reveals its panel, and closing one leaves the other working',
  explorerReviewImage: '"Review in Veil" on an image in the Explorer opens the review of its dataset (or of its folder) at that image',
  veilExcludes: "thumbnails, display copies and the vault stay out of Quick Open and search, and VS Code's own exclusions stay in force",
  walkthrough: 'the walkthrough is contributed with its six steps, each ticked by a command or a context key Veil sets',
  walkthroughKey:
    "the walkthrough's key step counts a dataset whose only key is in a policy role that may open originals (as a commit encrypts to it), not one whose only key belongs to a role that may not",
  installOffer: 'after a detection with the embedded model, installing the better model is offered once in the status bar, with the measured numbers, and nothing takes the focus until it is clicked',
  excludeFromEditor: 'excluding files from commits in the editor (Veil view, Explorer selection) asks the reason, audits it and lists them as excluded in the Veil view; including one brings it back',
  recipientsFromEditor: 'recipients from the editor: each listed with the originals it opens; an added key opens every original and a removed one none (stock age); a rotation cancelled mid-way is finished by running it again',
  policyFromEditor: 'the policy from the editor: shown read-only with its defaults, a starter written, a draft edited and applied (asked first, audited), a malformed draft refused naming the field',
  signingFromEditor: 'signing from the editor: a 0600 signing key made and set as veil.signing.keyFile, commits then signed, a checkpoint signed on demand and trusted by verify once the policy lists the key',
  createKey: 'creating a key in the editor writes a 0600 identity (the passphrase asked twice) and adds its recipient to the dataset picked; a path inside a dataset is refused',
  modelsListAdd: 'managing models lists each with its source, hash status and the default, and adds a local ONNX file with its decoder',
  modelsInstall: 'installing a model from the models list downloads it with progress from the address given, and the daemon checks its pinned sha256',
  verifyDiagnostics: 'verify findings become Problems entries on the files they name, and a clean verify clears them',
  verifyFull:
    "verifying all data reads every object of the vault, with a custodian's key (asked) or without one: a file no commit names is a Problems entry on it, which a plain verify does not read, and a clean run clears it",
  revealOriginal: 'revealing an original shows it read-only from memory in a veil-original: tab, audited first, with no file written anywhere',
  auditView: 'the audit trail view lists the entries newest first and filters them by action and by reviewer',
  complianceFromEditor:
    'compliance from the editor: a refused opening heads the audit trail as a flag and marks its entry; a report is created, shown with scripts off, and its signed evidence checks out',
  retentionFromEditor:
    'retention from the editor: an original held and released from the Veil view (each audited), originals past retention purged after a dry run and a confirmation (the held one kept), and one restored for re-review (purpose and key asked), listed as unreviewed, verify passing',
  backupFromEditor:
    'backup from the editor: a committed dataset backed up with its images to a folder picked (the generation audited), then restored into an empty folder with a custodian key, and verify passes there',
  annotationsFromEditor:
    'annotations from the editor: a dataset exported as COCO (format picked, file saved), imported into a copy of its images as trusted decisions (the reason asked and audited); a file naming an image the dataset lacks is refused with nothing imported',
  redactionsFromEditor:
    'redacted regions from the editor: a committed dataset\'s regions written as COCO ignore regions in a file of their own and added to a COCO label file (its labels kept), each as `veil export --redactions` writes them and as .veil/redactions.json lists them',
} as const;

/** What the host suite writes to the file named by VEIL_VSCODE_RESULTS. */
export interface HostResults {
  passed: string[];
  failed: Array<{ title: string; message: string }>;
}

export const RESULTS_ENV = 'VEIL_VSCODE_RESULTS';

/** Marks the extension-host log lines that the host forwards to its output (the rest only when VEIL_VSCODE_VERBOSE=1). */
export const REPORT_PREFIX = '[veil-extension-host]';
