/**
 * The provisions each section of the report gives evidence for: HIPAA (45 CFR Part 164) and the GDPR (Regulation (EU)
 * 2016/679). Each names the provision as the text numbers it, its title or gist, and what the section shows for it.
 * Evidence supports compliance; it does not establish it: the report says so above the sections.
 */

export interface Citation {
  law: 'HIPAA' | 'GDPR';
  /** As the text numbers it: "§164.312(b)", "Art. 5(1)(e)". */
  ref: string;
  /** The provision's title or gist. */
  title: string;
  /** What this section shows for it. */
  how: string;
}

export const REPORT_SECTIONS = ['anonymization', 'review', 'verification', 'vault', 'keys', 'openings', 'monitoring', 'chain', 'policy'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

export const CITATIONS: Record<ReportSection, Citation[]> = {
  anonymization: [
    {
      law: 'HIPAA',
      ref: '§164.514(b)(2)(i)(Q)',
      title: 'De-identification, safe harbor: full-face photographs and any comparable images',
      how: 'every face of the committed images was redacted, with the boxes and their origin counted; the other identifiers the safe harbor lists are outside what Veil checks (a commit strips all image metadata)',
    },
    {
      law: 'GDPR',
      ref: 'Art. 25(1)',
      title: 'Data protection by design',
      how: 'faces are removed before the images are used, solid fill by default, and annotators review and commit without any key to the originals',
    },
    {
      law: 'GDPR',
      ref: 'Art. 89(1)',
      title: 'Safeguards for processing for scientific research purposes',
      how: 'research works on images whose faces are redacted; the originals stay encrypted for key holders only (pseudonymisation, Art. 4(5), until they are purged)',
    },
  ],
  review: [
    {
      law: 'HIPAA',
      ref: '§164.312(b)',
      title: 'Audit controls',
      how: 'every review decision is an audit entry naming the reviewer, the time and the boxes decided, written before the decision takes effect',
    },
    {
      law: 'GDPR',
      ref: 'Art. 5(2)',
      title: 'Accountability: being able to demonstrate compliance',
      how: 'who reviewed which images and when, and every commit, read from the hash-chained log',
    },
  ],
  verification: [
    {
      law: 'HIPAA',
      ref: '§164.312(c)(1)',
      title: 'Integrity: protect ePHI from improper alteration or destruction',
      how: 'every committed image, vault object and audit entry was checked against the hashes recorded when it was written',
    },
    {
      law: 'HIPAA',
      ref: '§164.312(c)(2)',
      title: 'Mechanism to authenticate ePHI (addressable)',
      how: 'vault objects hash to their audited ciphertexts and, with a key, decrypt to content whose sha256 is their name',
    },
    {
      law: 'GDPR',
      ref: 'Art. 32(1)(d)',
      title: 'Regularly testing, assessing and evaluating the effectiveness of the measures',
      how: 'every committed image is checked against its audited output and, with re-detection, searched for faces again: a face left or seen through a redaction is a finding',
    },
  ],
  vault: [
    {
      law: 'HIPAA',
      ref: '§164.312(a)(2)(iv)',
      title: 'Encryption and decryption (addressable)',
      how: 'every original is kept encrypted in the age format (X25519, ChaCha20-Poly1305) to the listed recipients only',
    },
    {
      law: 'HIPAA',
      ref: '§164.308(a)(7)(ii)(A)',
      title: 'Data backup plan: retrievable exact copies of ePHI',
      how: 'each original replaced by its anonymized version is kept as an exact copy, named and checked by its sha256',
    },
    {
      law: 'HIPAA',
      ref: '§164.310(d)(2)(i)',
      title: 'Disposal: final disposition of ePHI',
      how: 'purges crypto-shred originals past retention, each logged before the removal; copies in backups need their own disposal',
    },
    {
      law: 'GDPR',
      ref: 'Art. 5(1)(e)',
      title: 'Storage limitation',
      how: 'the retention the policy sets, each original’s state against it, and the originals purged',
    },
    {
      law: 'GDPR',
      ref: 'Art. 32(1)(a)',
      title: 'Pseudonymisation and encryption of personal data',
      how: 'the outputs hold no face; the originals are encrypted at rest',
    },
  ],
  keys: [
    {
      law: 'HIPAA',
      ref: '§164.312(a)(1)',
      title: 'Access control',
      how: 'only holders of the listed keys can decrypt an original; the list and every change to it are shown',
    },
    {
      law: 'HIPAA',
      ref: '§164.308(a)(4)(ii)(C)',
      title: 'Access establishment and modification (addressable)',
      how: 'each recipient added or removed, and each rotation, is an audit entry; every original is re-encrypted to the new list',
    },
    {
      law: 'HIPAA',
      ref: '§164.308(a)(3)(ii)(C)',
      title: 'Termination procedures (addressable)',
      how: 'a removed key opens no original of the vault any more (a new file key each time); copies taken before stay as they were',
    },
    {
      law: 'GDPR',
      ref: 'Art. 32(1)(b)',
      title: 'Ongoing confidentiality of processing systems',
      how: 'who can open the originals, as the vault records it per object',
    },
  ],
  openings: [
    {
      law: 'HIPAA',
      ref: '§164.312(b)',
      title: 'Audit controls',
      how: 'every opening of an original is logged before the decrypt, with the reviewer, the key and the purpose; refused openings too',
    },
    {
      law: 'HIPAA',
      ref: '§164.502(b)',
      title: 'Minimum necessary',
      how: 'originals are opened one at a time, each for a stated purpose',
    },
    {
      law: 'GDPR',
      ref: 'Art. 5(1)(b)',
      title: 'Purpose limitation',
      how: 'each opening states its purpose, checked against the purposes the policy allows',
    },
  ],
  monitoring: [
    {
      law: 'HIPAA',
      ref: '§164.308(a)(1)(ii)(D)',
      title: 'Information system activity review',
      how: 'the audit log is reviewed against the policy’s rules: openings out of hours, too many a day, without a purpose, refusals, forced purges, a broken chain',
    },
    {
      law: 'GDPR',
      ref: 'Art. 33(1)',
      title: 'Notification of a personal data breach',
      how: 'the flags help notice a possible breach in time to assess it and notify within 72 hours',
    },
  ],
  chain: [
    {
      law: 'HIPAA',
      ref: '§164.312(c)(1)',
      title: 'Integrity',
      how: 'the audit log is a hash chain; signed checkpoints make a rewritten history detectable',
    },
    {
      law: 'HIPAA',
      ref: '§164.316(b)(2)(i)',
      title: 'Documentation: retain for 6 years',
      how: 'keep this report and its signed evidence file; the head below ties them to the log',
    },
    {
      law: 'GDPR',
      ref: 'Art. 5(2)',
      title: 'Accountability',
      how: 'the chain head and the signature let anyone check later that the log this report summarizes was not changed',
    },
  ],
  policy: [
    {
      law: 'HIPAA',
      ref: '§164.316(a)',
      title: 'Policies and procedures',
      how: 'the dataset’s policy as it stands, with its sha256 as the log records it',
    },
    {
      law: 'GDPR',
      ref: 'Art. 30(1)(b), (f), (g)',
      title: 'Records of processing activities: purposes, time limits for erasure, security measures',
      how: 'the purposes an original may be opened for, the retention, and the measures of this report feed the controller’s record',
    },
  ],
};
