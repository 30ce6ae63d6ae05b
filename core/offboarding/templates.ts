import { AppError } from "../errors.ts";
import { parseTemplate, type Template } from "./template.ts";

const handoverChecklist = [
  { id: "documents" },
  { id: "code" },
  { id: "customer-accounts", source: "crm" },
  { id: "equipment" },
];

const art50Certificate = "LCL Art. 50 para 1: certificate at termination";
const art50Transfer = "LCL Art. 50 para 1: file and social insurance within 15 days";

/**
 * The standard CN template (DESIGN §6 table). Due dates are the earlier of the forward rule
 * (working days after the step starts) and the backward rule (working days before the last day).
 */
export const cnStandardData = {
  id: "cn-standard",
  version: 1,
  jurisdiction: "CN",
  probation: false,
  steps: [
    {
      key: "apply",
      owner: "employee",
      start: { on: "notice" },
      due: { kind: "working-days", afterStart: 0, beforeLastDay: 0 },
      gating: true,
      doneAtOpening: true,
    },
    {
      key: "acknowledge",
      owner: "manager",
      start: { on: "step-done", step: "apply", atLatest: "step-due" },
      due: { kind: "working-days", afterStart: 1, beforeLastDay: 0 },
      gating: false,
      namesReceiverFor: "handover",
    },
    {
      key: "check",
      owner: "employee",
      start: { on: "step-done", step: "apply", atLatest: "step-due" },
      due: { kind: "working-days", afterStart: 2, beforeLastDay: 0 },
      gating: true,
      readsGates: true,
    },
    {
      key: "handover",
      owner: "manager",
      start: { on: "step-done", step: "check", atLatest: "step-due" },
      due: { kind: "working-days", afterStart: 3, beforeLastDay: 2 },
      gating: true,
      withReceiver: true,
      checklist: handoverChecklist,
    },
    {
      key: "settlement",
      owner: "finance",
      start: { on: "step-done", step: "handover", atLatest: "step-due" },
      due: { kind: "working-days", afterStart: 2, beforeLastDay: 0 },
      gating: true,
    },
    {
      key: "procedures",
      owner: "hr",
      start: { on: "step-done", step: "settlement", atLatest: "step-due" },
      due: { kind: "last-day" },
      gating: true,
      issuesCertificate: true,
      legalDeadline: art50Certificate,
    },
    {
      key: "transfer",
      owner: "hr",
      start: { on: "termination" },
      due: { kind: "calendar-days-after-termination", days: 15 },
      gating: true,
      legalDeadline: art50Transfer,
    },
  ],
};

/**
 * The probation variant: the notice period is 3 days (Art. 37), so every step gets one working
 * day and handover may run up to the last day itself.
 */
export const cnProbationData = {
  ...cnStandardData,
  id: "cn-probation",
  probation: true,
  steps: cnStandardData.steps.map((step) => {
    switch (step.key) {
      case "check":
        return { ...step, due: { kind: "working-days", afterStart: 1, beforeLastDay: 0 } };
      case "handover":
        return { ...step, due: { kind: "working-days", afterStart: 1, beforeLastDay: 0 } };
      case "settlement":
        return { ...step, due: { kind: "working-days", afterStart: 1, beforeLastDay: 0 } };
      default:
        return step;
    }
  }),
};

export const cnStandard: Template = parseTemplate(cnStandardData);
export const cnProbation: Template = parseTemplate(cnProbationData);

export const templates: readonly Template[] = [cnStandard, cnProbation];

export function templateById(id: string): Template | undefined {
  return templates.find((t) => t.id === id);
}

/** The template for a case: by jurisdiction, and the compressed one when the notice came in probation. */
export function templateFor(input: { jurisdiction: string; probation: boolean }): Template {
  const found = templates.find(
    (t) => t.jurisdiction === input.jurisdiction && t.probation === input.probation,
  );
  if (!found) {
    throw new AppError(
      "unprocessable",
      `There is no offboarding template for jurisdiction ${input.jurisdiction} yet.`,
      { messageKey: "case.no_template", params: { jurisdiction: input.jurisdiction } },
    );
  }
  return found;
}
