/**
 * What the offboarding check step asks before handover: has the leaver signed what their role
 * requires, and passed the training? The agreements and training modules implement gates; with
 * none registered the check passes with a note. A gate never moves the last day or the certificate.
 */
export type GateOutcome = {
  /** Stable name, e.g. `agreement` or `training`. */
  gate: string;
  satisfied: boolean;
  /** What is missing or done, for the card and the record (ids, titles; no personal data). */
  items: { id: string; title: string; satisfied: boolean }[];
};

export type GateInput = { employeeExternalId: string; role: string | null; caseId: string; at: Date };

export type CheckGate = {
  name: string;
  evaluate(input: GateInput): Promise<GateOutcome>;
  /** Asks the employee to do what is missing (a signature request, a course assignment), once. */
  request?(input: GateInput): Promise<void>;
};
