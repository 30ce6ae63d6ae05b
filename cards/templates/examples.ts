import type { CardNode } from "../model.ts";
import { agreementToSign, signatureReceipt } from "./agreements.ts";
import type { CardContext } from "./context.ts";
import { help, notAllowed } from "./general.ts";
import { hrAlert, hrDigest } from "./hr.ts";
import { cardForNotification, type NotificationKind } from "./notifications.ts";
import {
  certificateIssued,
  handoverChecklist,
  managerAcknowledgement,
  myChecklist,
  noticeReceipt,
  resignationNoticeForm,
  settlementRequest,
} from "./offboarding.ts";
import { lessonPage, quizQuestion, quizResult } from "./training.ts";

/**
 * One example of every template with realistic data, for tests, golden files of the renderers and
 * screenshots. The essential facts of each are listed so tests can find them in the fallback text.
 */
export type TemplateExample = { name: string; facts: string[]; render: (ctx: CardContext) => CardNode };

const caseId = "C-2026-0042";

export const templateExamples: TemplateExample[] = [
  {
    name: "resignation-notice-form",
    facts: ["Li Lei", "2026-03-02", "2026-04-01"],
    render: (ctx) =>
      resignationNoticeForm(
        { employeeName: "Li Lei", noticeDate: "2026-03-02", legalLastDay: "2026-04-01", noticeDays: 30 },
        ctx,
      ),
  },
  {
    name: "notice-receipt",
    facts: [caseId, "Li Lei", "2026-03-02T09:15:00+08:00", "2026-04-01"],
    render: (ctx) =>
      noticeReceipt(
        {
          caseId,
          employeeName: "Li Lei",
          noticeDate: "2026-03-02",
          receivedAt: "2026-03-02T09:15:00+08:00",
          legalLastDay: "2026-04-01",
          plannedLastDay: "2026-04-01",
          textSha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        },
        ctx,
      ),
  },
  {
    name: "manager-acknowledgement",
    facts: [caseId, "Li Lei", "2026-03-02", "2026-04-01", "Han Meimei"],
    render: (ctx) =>
      managerAcknowledgement(
        {
          caseId,
          employeeName: "Li Lei",
          noticeDate: "2026-03-02",
          plannedLastDay: "2026-04-01",
          candidates: [
            { label: "Han Meimei", value: "employee:E1002" },
            { label: "Wang Fang", value: "employee:E1003" },
          ],
          searchAction: "directory.search",
        },
        ctx,
      ),
  },
  {
    name: "handover-checklist",
    facts: [caseId, "Li Lei", "2026-03-27", "ACME Ltd."],
    render: (ctx) =>
      handoverChecklist(
        {
          caseId,
          employeeName: "Li Lei",
          dueDate: "2026-03-27",
          items: [
            { key: "documents", done: true },
            { key: "code", done: false },
            { key: "customer", done: false },
            { key: "equipment", done: false },
            { key: "crm:A-17", label: "ACME Ltd.", done: false },
          ],
        },
        ctx,
      ),
  },
  {
    name: "settlement-request",
    facts: [caseId, "Li Lei", "2026-03-31", "2026-04-01"],
    render: (ctx) =>
      settlementRequest(
        { caseId, employeeName: "Li Lei", dueDate: "2026-03-31", plannedLastDay: "2026-04-01" },
        ctx,
      ),
  },
  {
    name: "certificate-issued",
    facts: ["Li Lei", "CERT-7", "2026-04-01", "https://baton.example.com/d/abc"],
    render: (ctx) =>
      certificateIssued(
        {
          caseId,
          employeeName: "Li Lei",
          certificateId: "CERT-7",
          terminationDate: "2026-04-01",
          downloadUrl: "https://baton.example.com/d/abc",
          verifyUrl: "https://baton.example.com/verify/v1",
        },
        ctx,
      ),
  },
  {
    name: "agreement-to-sign",
    facts: [
      "Confidentiality Agreement",
      "3",
      "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    ],
    render: (ctx) =>
      agreementToSign(
        {
          requestId: "SR-88",
          title: "Confidentiality Agreement",
          version: 3,
          sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
          dueDate: "2026-03-04",
          textUrl: "https://baton.example.com/agreements/SR-88",
        },
        ctx,
      ),
  },
  {
    name: "signature-receipt",
    facts: ["Confidentiality Agreement", "2026-03-03T10:00:00Z", "2c26b46b"],
    render: (ctx) =>
      signatureReceipt(
        {
          title: "Confidentiality Agreement",
          version: 3,
          sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
          signedAt: "2026-03-03T10:00:00Z",
          verifyUrl: "https://baton.example.com/verify/s1",
        },
        ctx,
      ),
  },
  {
    name: "lesson-page",
    facts: ["Technical secrets", "What is a trade secret?", "2"],
    render: (ctx) =>
      lessonPage(
        {
          courseId: "eng-secrets",
          lessonId: "l1",
          courseTitle: "Technical secrets",
          lessonTitle: "What is a trade secret?",
          page: 2,
          pages: 3,
          markdown: "A **trade secret** is information that is not public, has value and is kept secret.",
        },
        ctx,
      ),
  },
  {
    name: "quiz-question",
    facts: ["May you keep source code on a personal laptop?", "Yes", "No"],
    render: (ctx) =>
      quizQuestion(
        {
          attemptId: "A-5",
          index: 1,
          total: 10,
          question: "May you keep source code on a personal laptop?",
          options: [
            { label: "Yes", value: "a" },
            { label: "No", value: "b" },
          ],
          multiple: false,
        },
        ctx,
      ),
  },
  {
    name: "quiz-result",
    facts: ["60", "80", "2026-03-04T09:00:00+08:00"],
    render: (ctx) =>
      quizResult(
        {
          courseId: "eng-secrets",
          score: 60,
          passMark: 80,
          passed: false,
          attemptsLeft: 2,
          retryAfter: "2026-03-04T09:00:00+08:00",
        },
        ctx,
      ),
  },
  {
    name: "my-checklist",
    facts: [caseId, "2026-04-01", "2026-03-27"],
    render: (ctx) =>
      myChecklist(
        {
          caseId,
          plannedLastDay: "2026-04-01",
          steps: [
            { key: "apply", status: "done", dueDate: "2026-03-02" },
            { key: "acknowledge", status: "done", dueDate: "2026-03-03" },
            { key: "check", status: "overdue", dueDate: "2026-03-04" },
            { key: "handover", status: "open", dueDate: "2026-03-27" },
            { key: "settlement", status: "waiting", dueDate: "2026-03-31" },
          ],
        },
        ctx,
      ),
  },
  {
    name: "hr-alert",
    facts: [caseId, "E1001", "2026-04-01"],
    render: (ctx) =>
      hrAlert(
        {
          alert: "certificate.unissued",
          caseId,
          employee: "E1001",
          plannedLastDay: "2026-04-01",
          daysLate: 1,
        },
        ctx,
      ),
  },
  {
    name: "hr-digest",
    facts: ["2026-03-10", "openCases", "12", "deadbeef"],
    render: (ctx) =>
      hrDigest(
        {
          date: "2026-03-10",
          sections: [
            {
              name: "offboarding",
              facts: [
                { label: "openCases", value: 12 },
                { label: "overdue", value: 1 },
              ],
            },
          ],
          chainHead: "deadbeef",
        },
        ctx,
      ),
  },
  { name: "help", facts: ["/baton"], render: (ctx) => help({ roles: ["employee", "manager", "hr"] }, ctx) },
  { name: "not-allowed", facts: ["HR"], render: (ctx) => notAllowed({}, ctx) },
];

const stepData = { caseId, step: "handover", employee: "E1001", dueDate: "2026-03-27" };

/** Data like the core enqueues for each notification kind. */
export const notificationExamples: Record<NotificationKind, Record<string, unknown>> = {
  "step.assigned": { ...stepData, role: "owner" },
  "step.reminder": stepData,
  "step.due": stepData,
  "step.overdue": { ...stepData, workingDaysOverdue: 1 },
  "step.escalated": { ...stepData, level: "manager", owner: "employee:E1000", workingDaysOverdue: 1 },
  "case.opened": {
    caseId,
    employee: "E1001",
    noticeDate: "2026-03-02",
    legalLastDay: "2026-04-01",
    plannedLastDay: "2026-04-01",
  },
  "case.exception": { caseId, employee: "E1001", reason: "owner deactivated" },
  "case.updated": { caseId, employee: "E1001", plannedLastDay: "2026-03-25" },
  "notice.receipt": {
    caseId,
    noticeDate: "2026-03-02",
    legalLastDay: "2026-04-01",
    plannedLastDay: "2026-04-01",
    receivedAt: "2026-03-02T01:15:00.000Z",
  },
  "certificate.issued": {
    caseId,
    certificateId: "CERT-7",
    version: 1,
    issueDate: "2026-04-01",
    verifyUrl: "https://baton.example.com/verify/v1",
    downloadUrl: "https://baton.example.com/d/abc",
    downloadExpiresAt: "2026-04-08T00:00:00.000Z",
  },
  "certificate.revoked": { caseId, certificateId: "CERT-7", reason: "wrong position" },
  "agreement.signature.requested": {
    requestId: "SR-88",
    title: "Confidentiality Agreement",
    version: 3,
    hash: "2c26b46b",
    dueDate: "2026-03-04",
  },
  "agreement.signature.reminder": {
    requestId: "SR-88",
    title: "Confidentiality Agreement",
    version: 3,
    dueDate: "2026-03-04",
  },
  "agreement.signed": { title: "Confidentiality Agreement", version: 3, hash: "2c26b46b" },
  "training.assigned": { courseId: "eng-secrets", dueDate: "2026-03-04" },
  "training.reminder": { courseId: "eng-secrets", dueDate: "2026-03-04" },
  "training.nudge": { courseId: "eng-secrets", caseId },
  "training.failed": { courseId: "eng-secrets", score: 60 },
  "training.certificate.issued": { courseId: "eng-secrets", certificateId: "TC-3", score: 90 },
  "hr.alert": {
    alert: "certificate.unissued",
    caseId,
    employee: "E1001",
    plannedLastDay: "2026-04-01",
    daysLate: 1,
  },
  "hr.digest": {
    date: "2026-03-10",
    offboarding: { openCases: 12, overdue: 1 },
    head: { seq: 991, hash: "deadbeef" },
  },
  "non-compete.enforced": { caseId, employee: "E1001", month: "2026-05", amount: "9000.00" },
  "non-compete.payment-due": { caseId, employee: "E1001", month: "2026-05", amount: "9000.00" },
  "non-compete.unpaid": { caseId, employee: "E1001", month: "2026-05", amount: "9000.00" },
  "non-compete.ended": { caseId, employee: "E1001", date: "2027-04-01" },
  "settlement.outstanding": { caseId, employee: "E1001", items: 2 },
  "handover.accounts-listed": { caseId, step: "handover", added: 3, accounts: 3 },
  "channel.bound": { date: "2026-03-01" },
  "bot.reply": {
    card: {
      type: "card",
      header: { title: "Your checklist", tone: "info" },
      children: [
        { type: "text", text: "Your last day is 2026-04-01.", markdown: false },
        {
          type: "actions",
          elements: [
            { type: "button", label: "My checklist", action: "case.status", value: caseId, style: "primary" },
          ],
        },
      ],
    },
  },
  "notification.batch": {
    items: [
      { kind: "step.overdue", data: { caseId } },
      { kind: "hr.alert", data: { caseId: "C-2026-0043" } },
    ],
  },
};

/** Each notification example rendered through {@link cardForNotification}. */
export const notificationCardExamples: TemplateExample[] = Object.entries(notificationExamples).map(
  ([kind, data]) => ({
    name: `notification.${kind}`,
    facts: ["caseId", "date", "employee", "dueDate", "month", "amount"]
      .map((key) => data[key])
      .filter((v): v is string => typeof v === "string"),
    render: (ctx: CardContext) => cardForNotification(kind, data, ctx),
  }),
);
