/**
 * An evidence entry: who did what to which subject, when, with data that holds ids and hashes
 * only — never personal data in clear. Entries are written inside the business transaction and
 * sequenced into the chain shortly after by the single chain writer.
 */
export type EvidenceEntryInput = {
  /** When it happened (server clock). */
  at: Date;
  /** A principal (`employee:E1001`, `system:oa`) or `system:baton`. */
  actor: string;
  /** Dotted verb, e.g. `employee.identity.changed`, `calendar.year.provisional`. */
  action: string;
  /** What it is about, e.g. `employee:E1001`, `calendar:CN:2027`. */
  subject: string;
  /** Ids, hashes and plain facts; JSON that canonicalizes under RFC 8785. */
  data: Record<string, unknown>;
};
