import {
  Actions,
  Button,
  type ButtonNode,
  Card,
  type CardNode,
  Fields,
  LinkButton,
  type LinkButtonNode,
  Text,
  type Tone,
} from "../model.ts";
import { storedCard } from "../stored.ts";
import { type CardContext, field, type MessageKey, stepName } from "./context.ts";
import { genericNotification } from "./general.ts";
import { hrAlert, hrDigest } from "./hr.ts";

/** Every notification kind the core, db and HTTP layers enqueue for people and group channels. */
export const notificationKinds = [
  "step.assigned",
  "step.reminder",
  "step.due",
  "step.overdue",
  "step.escalated",
  "case.opened",
  "case.exception",
  "case.updated",
  "notice.receipt",
  "certificate.issued",
  "certificate.revoked",
  "agreement.signature.requested",
  "agreement.signature.reminder",
  "agreement.signed",
  "training.assigned",
  "training.reminder",
  "training.nudge",
  "training.failed",
  "training.certificate.issued",
  "hr.alert",
  "hr.digest",
  "non-compete.enforced",
  "non-compete.payment-due",
  "non-compete.unpaid",
  "non-compete.ended",
  "settlement.outstanding",
  "handover.accounts-listed",
  "channel.bound",
  "bot.reply",
  "notification.batch",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export function isNotificationKind(kind: string): kind is NotificationKind {
  return (notificationKinds as readonly string[]).includes(kind);
}

type Data = Readonly<Record<string, unknown>>;

const text = (value: unknown): string | undefined =>
  typeof value === "string" || typeof value === "number" ? String(value) : undefined;

/** An id fit for a button value: short and plain (never free text or a secret). */
const id = (value: unknown): string | undefined => {
  const s = text(value);
  return s !== undefined && s.length <= 80 && /^[\w.:@-]+$/.test(s) ? s : undefined;
};

const url = (value: unknown): string | undefined => {
  const s = text(value);
  return s !== undefined && /^https?:\/\//.test(s) ? s : undefined;
};

/** The data keys shown as fields, in this order, with their labels. */
const shownFacts: [string, MessageKey][] = [
  ["caseId", "card.field.case"],
  ["employee", "card.field.employee"],
  ["title", "card.field.agreement"],
  ["version", "card.field.version"],
  ["courseId", "card.field.course"],
  ["dueDate", "card.field.due_date"],
  ["dueDateExtended", "card.field.due_date_extended"],
  ["workingDaysOverdue", "card.field.working_days_overdue"],
  ["level", "card.field.level"],
  ["noticeDate", "card.field.notice_date"],
  ["receivedAt", "card.field.received_at"],
  ["legalLastDay", "card.field.legal_last_day"],
  ["requestedLastDay", "card.field.requested_last_day"],
  ["plannedLastDay", "card.field.planned_last_day"],
  ["textSha256", "card.field.text_hash"],
  ["certificateId", "card.field.certificate"],
  ["issueDate", "card.field.issue_date"],
  ["hash", "card.field.hash"],
  ["month", "card.field.month"],
  ["amount", "card.field.amount"],
  ["score", "card.field.score"],
  ["items", "card.field.items"],
  ["added", "card.field.items"],
  ["reason", "card.field.reason"],
  ["date", "card.field.date"],
  ["downloadExpiresAt", "card.field.expires_at"],
];

function facts(data: Data, ctx: CardContext) {
  const step = text(data.step);
  return [
    step !== undefined
      ? { label: ctx.t(ctx.locale, "card.field.step"), value: stepName(ctx, step) }
      : undefined,
    ...shownFacts.map(([key, label]) => field(ctx, label, text(data[key]))),
  ];
}

type Spec = {
  tone: Tone;
  actions?: (data: Data, ctx: CardContext) => (ButtonNode | LinkButtonNode | undefined)[];
};

const open = (action: string, value: string | undefined, ctx: CardContext) =>
  value !== undefined
    ? Button(ctx.t(ctx.locale, "card.open"), action, { value, style: "primary" })
    : undefined;
const openCase = (data: Data, ctx: CardContext) => [open("case.open", id(data.caseId), ctx)];
const openStep = (data: Data, ctx: CardContext) => {
  const caseId = id(data.caseId);
  const step = id(data.step);
  return [
    open("step.open", caseId !== undefined && step !== undefined ? `${caseId}:${step}` : undefined, ctx),
  ];
};
const openCourse = (data: Data, ctx: CardContext) => [open("training.open", id(data.courseId), ctx)];

const specs: Record<
  Exclude<NotificationKind, "hr.alert" | "hr.digest" | "notification.batch" | "bot.reply">,
  Spec
> = {
  "step.assigned": { tone: "info", actions: openStep },
  "step.reminder": { tone: "info", actions: openStep },
  "step.due": { tone: "warning", actions: openStep },
  "step.overdue": { tone: "danger", actions: openStep },
  "step.escalated": { tone: "danger", actions: openStep },
  "case.opened": { tone: "info", actions: openCase },
  "case.exception": { tone: "danger", actions: openCase },
  "case.updated": { tone: "info", actions: openCase },
  "notice.receipt": {
    tone: "success",
    actions: (data, ctx) => {
      const caseId = id(data.caseId);
      return [
        caseId !== undefined
          ? Button(ctx.t(ctx.locale, "card.notice_receipt.checklist"), "case.status", { value: caseId })
          : undefined,
      ];
    },
  },
  "certificate.issued": {
    tone: "success",
    actions: (data, ctx) => {
      const download = url(data.downloadUrl);
      const verify = url(data.verifyUrl);
      return [
        download !== undefined
          ? LinkButton(ctx.t(ctx.locale, "card.certificate.download"), download)
          : undefined,
        verify !== undefined ? LinkButton(ctx.t(ctx.locale, "card.certificate.verify"), verify) : undefined,
      ];
    },
  },
  "certificate.revoked": { tone: "warning", actions: openCase },
  "agreement.signature.requested": {
    tone: "info",
    actions: (data, ctx) => [open("agreement.open", id(data.requestId), ctx)],
  },
  "agreement.signature.reminder": {
    tone: "warning",
    actions: (data, ctx) => [open("agreement.open", id(data.requestId), ctx)],
  },
  "agreement.signed": { tone: "success" },
  "training.assigned": { tone: "info", actions: openCourse },
  "training.reminder": { tone: "info", actions: openCourse },
  "training.nudge": { tone: "warning", actions: openCourse },
  "training.failed": { tone: "warning", actions: openCourse },
  "training.certificate.issued": { tone: "success" },
  "non-compete.enforced": { tone: "info", actions: openCase },
  "non-compete.payment-due": { tone: "warning", actions: openCase },
  "non-compete.unpaid": { tone: "danger", actions: openCase },
  "non-compete.ended": { tone: "info", actions: openCase },
  "settlement.outstanding": { tone: "warning", actions: openCase },
  "handover.accounts-listed": { tone: "info", actions: openStep },
  "channel.bound": { tone: "success" },
};

const title = (kind: NotificationKind, ctx: CardContext) =>
  ctx.t(ctx.locale, `card.notify.${kind}.title` as const);

function digestData(data: Data) {
  const head = data.head;
  const headHash = head && typeof head === "object" ? text((head as Data).hash) : undefined;
  const sections = Object.entries(data)
    .filter(
      ([name, value]) =>
        name !== "head" && value !== null && typeof value === "object" && !Array.isArray(value),
    )
    .map(([name, value]) => ({
      name,
      facts: Object.entries(value as Data)
        .filter(([, v]) => typeof v === "string" || typeof v === "number")
        .map(([label, v]) => ({ label, value: v as string | number })),
    }));
  return {
    date: text(data.date) ?? text(data.day) ?? "",
    sections,
    ...(headHash !== undefined || text(data.chainHead) !== undefined
      ? { chainHead: (headHash ?? text(data.chainHead)) as string }
      : {}),
  };
}

function alertData(data: Data) {
  const optional = (key: string) => (text(data[key]) !== undefined ? { [key]: text(data[key]) } : {});
  const daysLate = typeof data.daysLate === "number" ? { daysLate: data.daysLate } : {};
  return {
    alert: text(data.alert) ?? "",
    ...optional("caseId"),
    ...optional("employee"),
    ...optional("date"),
    ...optional("plannedLastDay"),
    ...optional("reason"),
    ...daysLate,
  };
}

/**
 * The card for a notification from the outbox: every kind the core emits has one; an unknown kind
 * gets a generic card, never an error.
 */
export function cardForNotification(kind: string, data: Data, ctx: CardContext): CardNode {
  if (!isNotificationKind(kind)) return genericNotification({}, ctx);
  if (kind === "hr.alert") return hrAlert(alertData(data), ctx);
  if (kind === "hr.digest") return hrDigest(digestData(data), ctx);
  if (kind === "bot.reply") {
    // The bot's own answer, delivered late (the event was recovered after an interruption).
    const card = storedCard(data.card);
    if (!card) return genericNotification({}, ctx);
    return {
      ...card,
      header: {
        ...card.header,
        title: `${title(kind, ctx)} · ${card.header.title}`,
        subtitle: ctx.t(ctx.locale, "card.notify.bot.reply.subtitle"),
      },
    };
  }
  if (kind === "notification.batch") {
    const items = Array.isArray(data.items) ? (data.items as Data[]) : [];
    return Card({ title: title(kind, ctx), tone: "info" }, [
      Text(ctx.t(ctx.locale, "card.notify.notification.batch.body")),
      Fields(
        items.map((item) => {
          const itemKind = text(item.kind) ?? "";
          const itemData = item.data && typeof item.data === "object" ? (item.data as Data) : {};
          return {
            label: isNotificationKind(itemKind)
              ? title(itemKind, ctx)
              : ctx.t(ctx.locale, "card.generic.title"),
            value: text(itemData.caseId) ?? text(itemData.employee) ?? "—",
          };
        }),
      ),
    ]);
  }
  const spec = specs[kind];
  const actions = (spec.actions?.(data, ctx) ?? []).filter((a) => a !== undefined);
  return Card({ title: title(kind, ctx), tone: spec.tone }, [
    Text(ctx.t(ctx.locale, `card.notify.${kind}.body` as const)),
    Fields(facts(data, ctx)),
    actions.length > 0 && Actions(actions),
  ]);
}
