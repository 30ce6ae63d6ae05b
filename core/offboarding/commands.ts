import type { IsoDate } from "../compliance/dates.ts";
import type { CaseView } from "./case.ts";
import type { SeparationType } from "./separation.ts";

/** A notice as the chat layer received it: an explicit form, in a 1:1 chat, worded as a notice. */
export type NoticeInput = {
  employeeExternalId: string;
  /** The exact text of the notice as shown to and confirmed by the employee; only its SHA-256 is kept. */
  text: string;
  /** When it entered Baton (Electronic Signature Law Art. 11; Civil Code Art. 137). */
  receivedAt: Date;
  /** Where it came from: `slack`, `lark`, `dingtalk`, `teams`, `web`, `email`, `api`. */
  channel: string;
  /** The last day the employee names, if any (else the legal one). */
  requestedLastDay?: IsoDate | null;
  /** The inbound event's id, so a platform's retry answers the same receipt. */
  idempotencyKey?: string;
};

/** What the employee gets back: the proof that the notice arrived, and the dates it set. */
export type NoticeReceipt = {
  caseId: string;
  noticeDate: IsoDate;
  legalLastDay: IsoDate | null;
  plannedLastDay: IsoDate;
  /** SHA-256 (hex) of the exact notice text. */
  textHash: string;
  receivedAt: string;
  channel: string;
  /** The evidence entry that records the notice. */
  evidenceId: string;
  /** False when this answered a repeat of a notice already recorded. */
  created: boolean;
};

export type OpenCaseInput = {
  employeeExternalId: string;
  noticeDate: IsoDate;
  separationType?: SeparationType;
  requestedLastDay?: IsoDate | null;
  /** Personal: only its hash is kept. */
  reason?: string | null;
  /** Who opens it: a system (`system:oa`), HR, or the employee. */
  actor: string;
  channel?: string;
  /** With `actor`, makes opening idempotent: same key and same request → the same case. */
  idempotencyKey?: string;
};

export type CompleteStepInput = {
  caseId: string;
  stepKey: string;
  /** The acting person (or system) — already authenticated by the caller. */
  actor: string;
  /** Required when HR acts on someone's behalf; only its hash is kept. */
  note?: string | null;
  /** Step facts: `{ receiver }` for acknowledge, `{ checklist }` for handover. */
  data?: Record<string, unknown> | null;
};

export type SaveChecklistInput = {
  caseId: string;
  stepKey: string;
  /** The acting person (or system) — already authenticated by the caller. */
  actor: string;
  /** Item id → done; only items the step's checklist has. Items left out keep their value. */
  checklist: Record<string, boolean>;
  /** Required when HR acts on someone's behalf; only its hash is kept. */
  note?: string | null;
};

export type StepResult = {
  case: CaseView;
  /** False for a harmless repeat. */
  changed: boolean;
  /** How the actor acted (owner, delegate, receiver, hr-on-behalf, …). */
  capacity: string;
};

/**
 * The offboarding commands the chat layer (bots) and the HTTP API call. Each runs its state change,
 * evidence entry and notifications in one transaction; rule violations throw AppError.
 */
export type OffboardingCommands = {
  /** Records a resignation notice given in chat and answers its receipt. */
  giveNotice(input: NoticeInput): Promise<NoticeReceipt>;
  openCase(input: OpenCaseInput): Promise<{ case: CaseView; created: boolean }>;
  completeStep(input: CompleteStepInput): Promise<StepResult>;
  /** Records handover checklist progress on the running step without completing it. */
  saveChecklist(input: SaveChecklistInput): Promise<StepResult>;
  getCase(caseId: string): Promise<CaseView>;
  /** The running case of an employee, if any. */
  activeCaseOf(employeeExternalId: string): Promise<CaseView | undefined>;
};
