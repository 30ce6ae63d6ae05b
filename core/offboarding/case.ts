import type { IsoDate } from "../compliance/dates.ts";
import type { SeparationType } from "./separation.ts";
import type { OwnerRole } from "./template.ts";
import type { CaseStatus, StepStatus } from "./transitions.ts";

/** A step as the API, the cards and the console show it. Owners are principals or groups. */
export type StepView = {
  key: string;
  ownerRole: OwnerRole;
  /** `employee:E1100`, `group:hr` or `group:finance`. */
  owner: string;
  /** The handover receiver, once the manager has named them. */
  receiver: string | null;
  delegates: string[];
  status: StepStatus;
  /** The day it started; for a step not started yet, the latest day it will (`projected`). */
  startDate: IsoDate;
  projected: boolean;
  startedAt: string | null;
  dueDate: IsoDate;
  /** Civil Code Art. 203: the transfer deadline moved off a public rest day; shown beside dueDate. */
  dueDateExtended?: IsoDate;
  dueOverridden: boolean;
  completedAt: string | null;
  completedBy: string | null;
  /** `completed`, `on-behalf`, `gates-satisfied`, `no-gates` (passed with a note), `exception`, `cancelled`. */
  outcome: string | null;
  /** Handover checklist: item id → done. */
  checklist?: Record<string, boolean>;
  receiverConfirmedAt?: string;
};

export type CaseView = {
  id: string;
  employeeExternalId: string;
  separationType: SeparationType;
  /** The article behind the separation type. */
  article: string;
  template: { id: string; version: number };
  probation: boolean;
  noticeDate: IsoDate;
  noticeReceivedAt: string;
  noticeChannel: string;
  legalLastDay: IsoDate | null;
  requestedLastDay: IsoDate | null;
  agreedLastDay: IsoDate | null;
  plannedLastDay: IsoDate;
  /** The employee named a day before the legal one and no agreement is recorded: the legal day holds. */
  earlierDayNeedsAgreement: boolean;
  /** LCL Art. 50: the certificate is issued at termination. */
  certificateDue: IsoDate;
  /** LCL Art. 50: file and social insurance within 15 days; with the Civil Code Art. 203 date. */
  transferDue: IsoDate;
  transferDueExtended: IsoDate;
  status: CaseStatus;
  openedAt: string;
  closedAt: string | null;
  exceptionsRecordedAt: string | null;
  steps: StepView[];
};

/** The notification kinds the offboarding engine enqueues (each a neutral kind + ids and dates). */
export const offboardingNotificationKinds = [
  "case.opened",
  "notice.receipt",
  "step.assigned",
  "step.reminder",
  "step.due",
  "step.overdue",
  "step.escalated",
  "case.exception",
  "case.updated",
] as const;
export type OffboardingNotificationKind = (typeof offboardingNotificationKinds)[number];
