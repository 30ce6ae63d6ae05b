/**
 * A neutral notification: a kind and its data. Surfaces (chat cards, e-mail) decide how it looks;
 * until they exist a recording sink receives them. Data holds ids and plain facts, never secrets.
 */
export type Recipient =
  /** One person, by principal (`employee:E1001`): a 1:1 chat or e-mail. Never folded with others. */
  | { type: "person"; principal: string }
  /**
   * Every bound group channel of that purpose: for an entity (its channels and those bound for
   * all entities), or every one when absent. `bindingId` addresses one binding only (a channel's
   * own daily digest, the confirmation that it was bound).
   */
  | { type: "channel"; purpose: "hr" | "finance"; entityId?: string; bindingId?: string }
  /** An outside system through a connector (CRM, finance). */
  | { type: "system"; system: string };

export type Notification = {
  /** Dotted kind, e.g. `step.assigned`, `step.reminder`, `step.escalated`, `hr.alert`, `hr.digest`. */
  kind: string;
  recipient: Recipient;
  data: Record<string, unknown>;
  /**
   * The same dedupe key is enqueued once, however often the state change or tick that makes it
   * runs (e.g. `reminder:<case>:<step>:<date>`).
   */
  dedupeKey: string;
  /** Alerts about legal dates are never held back for working hours. */
  urgency?: "legal" | "normal";
  /** Not before this time (working hours of the recipient); absent = at once. */
  notBefore?: Date;
};

/** The destination key that rate limits and folding work on. */
export function destinationOf(recipient: Recipient): string {
  switch (recipient.type) {
    case "person":
      return `person:${recipient.principal}`;
    case "channel": {
      const base = `channel:${recipient.purpose}:${recipient.entityId ?? "*"}`;
      return recipient.bindingId ? `${base}:${recipient.bindingId}` : base;
    }
    case "system":
      return `system:${recipient.system}`;
  }
}
