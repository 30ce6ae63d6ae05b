import {
  Actions,
  Button,
  Card,
  type CardNode,
  ChoiceInput,
  DateInput,
  Divider,
  Fields,
  type Option,
  PersonInput,
  Submit,
  Text,
  TextInput,
} from "../model.ts";
import { type CardContext, field, type MessageKey, stepName } from "./context.ts";

export type ResignationNoticeFormData = {
  employeeName: string;
  /** The date the notice would reach the company if given now (employee's time zone). */
  noticeDate: string;
  legalLastDay: string;
  /** 30, or 3 in probation. */
  noticeDays: number;
};

/** The notice form: worded as a notice, shows the legal last day, warns it cannot be withdrawn alone. */
export function resignationNoticeForm(data: ResignationNoticeFormData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card({ title: t(locale, "card.notice_form.title"), subtitle: data.employeeName, tone: "warning" }, [
    Text(t(locale, "card.notice_form.body", { name: data.employeeName })),
    Fields([
      field(ctx, "card.field.notice_date", data.noticeDate),
      field(ctx, "card.field.legal_last_day", data.legalLastDay),
    ]),
    Text(
      t(locale, "card.notice_form.legal_last_day", {
        legalLastDay: data.legalLastDay,
        days: data.noticeDays,
      }),
    ),
    DateInput("lastDay", t(locale, "card.notice_form.last_day"), {
      required: true,
      initial: data.legalLastDay,
    }),
    TextInput("reason", t(locale, "card.notice_form.reason"), { multiline: true }),
    Divider(),
    Text(t(locale, "card.notice_form.warning")),
    Submit(t(locale, "card.notice_form.submit"), "notice.submit", {
      style: "danger",
      confirm: {
        title: t(locale, "card.notice_form.confirm_title"),
        text: t(locale, "card.notice_form.confirm_text"),
        confirm: t(locale, "card.notice_form.submit"),
        deny: t(locale, "card.cancel"),
      },
    }),
  ]);
}

export type NoticeReceiptData = {
  caseId: string;
  employeeName: string;
  noticeDate: string;
  receivedAt: string;
  legalLastDay: string;
  plannedLastDay: string;
  textSha256?: string;
};

/** The receipt answering a notice: when it arrived and the dates in force. */
export function noticeReceipt(data: NoticeReceiptData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card(
    { title: t(locale, "card.notice_receipt.title"), subtitle: data.employeeName, tone: "success" },
    [
      Text(t(locale, "card.notice_receipt.body", { receivedAt: data.receivedAt })),
      Fields([
        field(ctx, "card.field.case", data.caseId),
        field(ctx, "card.field.notice_date", data.noticeDate),
        field(ctx, "card.field.legal_last_day", data.legalLastDay),
        field(ctx, "card.field.planned_last_day", data.plannedLastDay),
        field(ctx, "card.field.text_hash", data.textSha256),
      ]),
      Actions([Button(t(locale, "card.notice_receipt.checklist"), "case.status", { value: data.caseId })]),
    ],
  );
}

export type ManagerAcknowledgementData = {
  caseId: string;
  employeeName: string;
  noticeDate: string;
  plannedLastDay: string;
  /** A first list of receivers (the team); with `searchAction` the picker searches the directory. */
  candidates: Option[];
  searchAction?: string;
};

/** Asks the manager to acknowledge (not approve) the notice and name the handover receiver. */
export function managerAcknowledgement(data: ManagerAcknowledgementData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const params = {
    name: data.employeeName,
    noticeDate: data.noticeDate,
    plannedLastDay: data.plannedLastDay,
  };
  return Card({ title: t(locale, "card.manager_ack.title", params), tone: "info" }, [
    Text(t(locale, "card.manager_ack.body", params)),
    Fields([
      field(ctx, "card.field.case", data.caseId),
      field(ctx, "card.field.notice_date", data.noticeDate),
      field(ctx, "card.field.planned_last_day", data.plannedLastDay),
    ]),
    PersonInput("receiver", t(locale, "card.manager_ack.receiver"), {
      people: data.candidates,
      required: true,
      ...(data.searchAction ? { searchAction: data.searchAction } : {}),
    }),
    Submit(t(locale, "card.manager_ack.submit"), "notice.acknowledge", { value: data.caseId }),
  ]);
}

const handoverItemKeys: Record<string, MessageKey> = {
  documents: "card.handover.item.documents",
  code: "card.handover.item.code",
  customer: "card.handover.item.customer",
  equipment: "card.handover.item.equipment",
  accounts: "card.handover.item.accounts",
};

export type HandoverChecklistData = {
  caseId: string;
  employeeName: string;
  dueDate: string;
  /** Items by key; a known key gets its catalogue label, others (CRM accounts) show their label. */
  items: { key: string; label?: string; done: boolean }[];
  /** A line above the items, e.g. that the ticks were saved. */
  note?: string;
};

/** The handover checklist for the manager and receiver. */
export function handoverChecklist(data: HandoverChecklistData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const label = (item: HandoverChecklistData["items"][number]) => {
    const key = handoverItemKeys[item.key];
    return item.label ?? (key ? t(locale, key) : item.key);
  };
  return Card({ title: t(locale, "card.handover.title", { name: data.employeeName }), tone: "info" }, [
    Text(t(locale, "card.handover.body", { dueDate: data.dueDate })),
    Fields([field(ctx, "card.field.case", data.caseId), field(ctx, "card.field.due_date", data.dueDate)]),
    data.note !== undefined && Text(data.note),
    ChoiceInput(
      "done",
      t(locale, "card.handover.items"),
      data.items.map((item) => ({ label: label(item), value: item.key })),
      { multiple: true, initial: data.items.filter((i) => i.done).map((i) => i.key) },
    ),
    Submit(t(locale, "card.handover.save"), "handover.update", { value: data.caseId, style: "default" }),
    Actions([
      Button(t(locale, "card.handover.complete"), "handover.complete", {
        value: data.caseId,
        style: "primary",
        confirm: {
          title: t(locale, "card.handover.complete"),
          text: t(locale, "card.handover.confirm_text", { name: data.employeeName }),
          confirm: t(locale, "card.handover.complete"),
          deny: t(locale, "card.cancel"),
        },
      }),
    ]),
  ]);
}

export type SettlementRequestData = {
  caseId: string;
  employeeName: string;
  dueDate: string;
  plannedLastDay: string;
};

/** Asks finance to settle the money both ways. */
export function settlementRequest(data: SettlementRequestData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card({ title: t(locale, "card.settlement.title", { name: data.employeeName }), tone: "info" }, [
    Text(t(locale, "card.settlement.body", { dueDate: data.dueDate, plannedLastDay: data.plannedLastDay })),
    Fields([
      field(ctx, "card.field.case", data.caseId),
      field(ctx, "card.field.due_date", data.dueDate),
      field(ctx, "card.field.planned_last_day", data.plannedLastDay),
    ]),
    Actions([
      Button(t(locale, "card.settlement.complete"), "settlement.complete", {
        value: data.caseId,
        style: "primary",
        confirm: {
          title: t(locale, "card.settlement.complete"),
          text: t(locale, "card.settlement.confirm_text", { name: data.employeeName }),
          confirm: t(locale, "card.settlement.complete"),
          deny: t(locale, "card.cancel"),
        },
      }),
    ]),
  ]);
}

export type CertificateIssuedData = {
  caseId: string;
  employeeName: string;
  certificateId: string;
  terminationDate: string;
  downloadUrl?: string;
  verifyUrl?: string;
};

/** Tells the employee the separation certificate is issued, with its download and verify links. */
export function certificateIssued(data: CertificateIssuedData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const links = [
    data.downloadUrl
      ? { type: "link-button" as const, label: t(locale, "card.certificate.download"), url: data.downloadUrl }
      : undefined,
    data.verifyUrl
      ? { type: "link-button" as const, label: t(locale, "card.certificate.verify"), url: data.verifyUrl }
      : undefined,
  ].filter((l) => l !== undefined);
  return Card({ title: t(locale, "card.certificate.title"), subtitle: data.employeeName, tone: "success" }, [
    Text(
      t(locale, "card.certificate.body", { name: data.employeeName, terminationDate: data.terminationDate }),
    ),
    Fields([
      field(ctx, "card.field.certificate", data.certificateId),
      field(ctx, "card.field.termination_date", data.terminationDate),
      field(ctx, "card.field.case", data.caseId),
    ]),
    links.length > 0 && Actions(links),
  ]);
}

export type MyChecklistData = {
  caseId: string;
  plannedLastDay: string;
  steps: { key: string; status: "done" | "open" | "overdue" | "waiting"; dueDate: string }[];
};

/** The employee's own view of their case: each step and its state. */
export function myChecklist(data: MyChecklistData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const status = (s: MyChecklistData["steps"][number]) => {
    if (s.status === "done") return `✓ ${t(locale, "card.status.done")}`;
    if (s.status === "waiting") return t(locale, "card.status.waiting");
    if (s.status === "overdue") return `! ${t(locale, "card.status.overdue", { dueDate: s.dueDate })}`;
    return t(locale, "card.status.open", { dueDate: s.dueDate });
  };
  return Card({ title: t(locale, "card.my_checklist.title"), tone: "info" }, [
    Text(t(locale, "card.my_checklist.body", { plannedLastDay: data.plannedLastDay })),
    Fields(data.steps.map((s) => ({ label: stepName(ctx, s.key), value: status(s) }))),
    Fields([field(ctx, "card.field.case", data.caseId)]),
  ]);
}
