import { type IsoDate, isIsoDate } from "../../core/compliance/dates.ts";
import { AppError } from "../../core/errors.ts";
import type { CaseView } from "../../core/offboarding/case.ts";
import { dueDateFor, lastDayAnchor } from "../../core/offboarding/schedule.ts";
import { caseDates } from "../../core/offboarding/separation.ts";
import { stepOf } from "../../core/offboarding/template.ts";
import { templateFor } from "../../core/offboarding/templates.ts";
import {
  actingParty,
  financeGroup,
  hrGroup,
  isReassignable,
  mayAdminister,
} from "../../core/offboarding/transitions.ts";
import { withinCalendar } from "../calendar.ts";
import type { Db } from "../client.ts";
import { functionsOf } from "../repositories/directory.ts";
import { personPrincipal } from "./complete.ts";
import {
  advance,
  type CaseState,
  caseEvidence,
  hrChannel,
  isAvailable,
  loadState,
  notify,
  type OffboardingDeps,
  progressCase,
  type StepWriter,
  stepWriter,
  today,
} from "./engine.ts";
import { loadCaseView, personByExternalId, sha256, updateCase } from "./repository.ts";

/** The employee's side of an agreement (a withdrawal, a different last day), recorded by HR. */
export type EmployeeAgreement = {
  /** When the employee agreed. */
  at: string;
  /** How: `written`, `chat`, `email`, … */
  via: string;
  /** Where the agreement is kept (a document number, a message id); only its hash is recorded. */
  reference: string;
};

export type AdminInput = { caseId: string; actor: string; reason: string };
export type AdminResult = { case: CaseView; changed: boolean };

type Change = {
  action: string;
  data: Record<string, unknown>;
  /** Tell the leaver too (their dates changed, their case ended). */
  tellEmployee?: boolean;
};

function notActive(state: CaseState): AppError {
  return new AppError("conflict", `The case is ${state.row.status}.`, {
    messageKey: "case.not_active",
    params: { status: state.row.status },
  });
}

function requireActive(state: CaseState): void {
  if (state.row.status !== "open" && state.row.status !== "on-hold") throw notActive(state);
}

function requireStep(state: CaseState, key: string) {
  const rule = stepOf(state.template, key);
  const step = state.steps.find((s) => s.key === key);
  if (!rule || !step) {
    throw new AppError("not_found", `The case has no step ${key}.`, {
      messageKey: "case.step_not_found",
      params: { step: key },
    });
  }
  if (step.status === "done" || step.status === "cancelled") {
    throw new AppError("conflict", `The ${key} step is ${step.status}.`, {
      messageKey: "case.step_closed",
      params: { step: key, status: step.status },
    });
  }
  return { rule, step };
}

function agreementRecord(agreement: EmployeeAgreement) {
  return { at: agreement.at, via: agreement.via, referenceSha256: sha256(agreement.reference) };
}

/**
 * Runs an administration command: the case locked, the actor checked (HR or a system, never on
 * their own case), a reason required; `change` returns what changed (or null for a harmless
 * repeat). The evidence entry and HR's notification go in the same transaction.
 */
async function administer(
  deps: OffboardingDeps,
  input: AdminInput,
  change: (tx: Db, state: CaseState, writer: StepWriter, now: Date) => Promise<Change | null>,
): Promise<AdminResult> {
  const reason = input.reason.trim();
  if (reason.length === 0) {
    throw new AppError("unprocessable", "Give a reason.", { messageKey: "case.reason_required" });
  }
  const now = deps.clock.now();
  const { db } = deps.database;
  const changed = await db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const state = await loadState(tx, input.caseId, { lock: true });
    const actor = actingParty(input.actor, await functionsOf(tx, input.actor));
    if (!mayAdminister(actor, state.employee.principal)) {
      throw new AppError("forbidden", "Only HR administers cases, and never their own.", {
        messageKey: "case.admin_only",
      });
    }
    const writer = stepWriter(state);
    const done = await change(tx, state, writer, now);
    if (!done) return false;
    const evidenceId = await caseEvidence(tx, state, {
      actor: actor.principal,
      action: done.action,
      now,
      data: { ...done.data, reasonSha256: sha256(reason) },
    });
    const facts = {
      caseId: state.row.id,
      employee: state.employee.externalId,
      action: done.action,
      status: state.row.status,
      plannedLastDay: state.row.plannedLastDay,
      evidenceId,
    };
    await notify(
      tx,
      state,
      {
        kind: "case.updated",
        recipient: hrChannel(state),
        data: facts,
        dedupeKey: `case.updated:${evidenceId}`,
      },
      now,
    );
    if (done.tellEmployee) {
      await notify(
        tx,
        state,
        {
          kind: "case.updated",
          recipient: { type: "person", principal: state.employee.principal },
          urgency: "legal",
          data: { ...facts, noticeDate: state.row.noticeDate, legalLastDay: state.row.legalLastDay },
          dedupeKey: `case.updated:${evidenceId}:employee`,
        },
        now,
      );
    }
    await advance(tx, state, { now, gates: deps.gates.length === 0 ? [] : undefined, writer });
    return true;
  });
  deps.chainWriter?.wake();
  if (changed && deps.gates.length > 0) await progressCase(deps, input.caseId, now);
  return { case: await loadCaseView(db, input.caseId), changed };
}

/** The new owner of a step: HR or finance as a group, or an available colleague who is not the leaver. */
async function ownerFrom(tx: Db, state: CaseState, value: string): Promise<string> {
  if (value === "hr" || value === hrGroup) return hrGroup;
  if (value === "finance" || value === financeGroup) return financeGroup;
  const principal = personPrincipal(value);
  const person = await personByExternalId(tx, principal.slice("employee:".length));
  if (!person || principal === state.employee.principal || !(await isAvailable(tx, person))) {
    throw new AppError(
      "unprocessable",
      "The new owner must be an active colleague who is not leaving, or hr / finance.",
      {
        messageKey: "case.bad_owner",
        params: { owner: value.slice(0, 80) },
      },
    );
  }
  return principal;
}

export function reassignStep(deps: OffboardingDeps, input: AdminInput & { stepKey: string; owner: string }) {
  return administer(deps, input, async (tx, state, writer, now) => {
    requireActive(state);
    const { step } = requireStep(state, input.stepKey);
    if (!isReassignable(step.ownerRole)) {
      throw new AppError(
        "unprocessable",
        `The ${step.key} step belongs to the leaver and cannot be reassigned.`,
        {
          messageKey: "case.not_reassignable",
          params: { step: step.key },
        },
      );
    }
    const to = await ownerFrom(tx, state, input.owner);
    if (to === step.owner) return null;
    const from = step.owner;
    writer.set(step.key, {
      owner: to,
      assignedBy: "admin",
      assignment: step.assignment + 1,
      delegates: step.delegates.filter((d) => d !== to),
      nextActionAt: step.status === "active" ? now : step.nextActionAt,
    });
    return { action: "case.step.reassigned", data: { step: step.key, from, to } };
  });
}

export function delegateStep(deps: OffboardingDeps, input: AdminInput & { stepKey: string; to: string }) {
  return administer(deps, input, async (tx, state, writer, now) => {
    requireActive(state);
    const { step } = requireStep(state, input.stepKey);
    const to = await ownerFrom(tx, state, input.to);
    if (!to.startsWith("employee:")) {
      throw new AppError("unprocessable", "A step is delegated to a person.", {
        messageKey: "case.bad_owner",
        params: { owner: input.to.slice(0, 80) },
      });
    }
    if (to === step.owner || step.delegates.includes(to)) return null;
    writer.set(step.key, {
      delegates: [...step.delegates, to],
      nextActionAt: step.status === "active" ? now : step.nextActionAt,
    });
    return { action: "case.step.delegated", data: { step: step.key, owner: step.owner, delegate: to } };
  });
}

export function holdCase(deps: OffboardingDeps, input: AdminInput) {
  return administer(deps, input, async (tx, state, _writer, now) => {
    if (state.row.status === "on-hold") return null;
    requireActive(state);
    await updateCase(tx, state.row, { status: "on-hold" }, now);
    state.row.status = "on-hold";
    state.row.version += 1;
    return {
      action: "case.held",
      data: { note: "reminders to people pause; legal dates and alerts do not" },
    };
  });
}

export function resumeCase(deps: OffboardingDeps, input: AdminInput) {
  return administer(deps, input, async (tx, state, writer, now) => {
    if (state.row.status === "open") return null;
    requireActive(state);
    await updateCase(tx, state.row, { status: "open" }, now);
    state.row.status = "open";
    state.row.version += 1;
    for (const step of state.steps) if (step.status === "active") writer.set(step.key, { nextActionAt: now });
    return { action: "case.resumed", data: {} };
  });
}

function requireAgreement(agreement: EmployeeAgreement | undefined, messageKey: string, message: string) {
  if (!agreement) throw new AppError("unprocessable", message, { messageKey });
  return agreement;
}

/** Ends a case both sides agreed to withdraw (a notice cannot be withdrawn by one side alone). */
export function withdrawCase(
  deps: OffboardingDeps,
  input: AdminInput & { employeeAgreement?: EmployeeAgreement },
) {
  return administer(deps, input, async (tx, state, writer, now) => {
    if (state.row.status === "withdrawn") return null;
    requireActive(state);
    const agreement = requireAgreement(
      input.employeeAgreement,
      "case.withdraw_needs_agreement",
      "A notice is withdrawn only when both sides agree: record the employee's agreement.",
    );
    for (const step of state.steps) {
      if (step.status === "pending" || step.status === "active") {
        writer.set(step.key, { status: "cancelled", outcome: "cancelled", nextActionAt: null });
      }
    }
    await updateCase(tx, state.row, { status: "withdrawn", closedAt: now }, now);
    state.row.status = "withdrawn";
    state.row.closedAt = now;
    state.row.version += 1;
    return {
      action: "case.withdrawn",
      data: { employeeAgreement: agreementRecord(agreement), employerAgreedBy: input.actor },
      tellEmployee: true,
    };
  });
}

/**
 * Sets new dates on a case and reschedules its open steps: due dates of started steps are
 * computed again from their start (overrides kept unless they now fall after the last day); the
 * steps not started are projected again by `advance`.
 */
async function redate(
  tx: Db,
  state: CaseState,
  writer: StepWriter,
  now: Date,
  dates: {
    noticeDate: IsoDate;
    legalLastDay: IsoDate | null;
    agreedLastDay: IsoDate | null;
    plannedLastDay: IsoDate;
    probation: boolean;
  },
): Promise<void> {
  const template = templateFor({ jurisdiction: state.employee.jurisdiction, probation: dates.probation });
  const sameSteps =
    template.steps.length === state.template.steps.length &&
    template.steps.every((s, i) => s.key === state.template.steps[i]?.key);
  if (sameSteps) state.template = template;
  await updateCase(
    tx,
    state.row,
    {
      noticeDate: dates.noticeDate,
      legalLastDay: dates.legalLastDay,
      agreedLastDay: dates.agreedLastDay,
      plannedLastDay: dates.plannedLastDay,
      probation: dates.probation,
      templateId: state.template.id,
      templateVersion: state.template.version,
    },
    now,
  );
  Object.assign(state.row, dates, { templateId: state.template.id, version: state.row.version + 1 });
  const ctx = {
    calendar: state.calendar,
    noticeDate: dates.noticeDate,
    plannedLastDay: dates.plannedLastDay,
  };
  const anchor = withinCalendar(() => lastDayAnchor(ctx));
  for (const step of state.steps) {
    const rule = stepOf(state.template, step.key);
    if (!rule || (step.status !== "active" && step.status !== "pending")) continue;
    const override =
      step.dueOverride && (rule.start.on === "termination" || step.dueOverride <= anchor)
        ? step.dueOverride
        : null;
    if (step.status === "pending") {
      writer.set(step.key, { dueOverride: override });
      continue;
    }
    const due = withinCalendar(() => dueDateFor(rule, step.startDate ?? dates.noticeDate, ctx));
    writer.set(step.key, {
      dueOverride: override,
      dueDate: override ?? due.dueDate,
      dueDateExtended: due.dueDateExtended ?? null,
      nextActionAt: now,
    });
  }
}

export function correctNoticeDate(deps: OffboardingDeps, input: AdminInput & { noticeDate: string }) {
  return administer(deps, input, async (tx, state, writer, now) => {
    requireActive(state);
    if (!isIsoDate(input.noticeDate))
      throw new AppError("bad_request", "noticeDate must be a date YYYY-MM-DD.");
    if (input.noticeDate === state.row.noticeDate) return null;
    const employee = await personByExternalId(tx, state.employee.externalId);
    const before = {
      noticeDate: state.row.noticeDate,
      legalLastDay: state.row.legalLastDay,
      plannedLastDay: state.row.plannedLastDay,
    };
    const dates = caseDates({
      separationType: state.row.separationType,
      noticeDate: input.noticeDate,
      today: today(state, now),
      requestedLastDay: state.row.requestedLastDay,
      agreedLastDay: state.row.agreedLastDay,
      probationEndDate: employee?.probationEndDate ?? null,
      contractEndDate: employee?.contractEndDate ?? null,
    });
    await redate(tx, state, writer, now, dates);
    return {
      action: "case.notice-date.corrected",
      data: {
        from: before,
        to: {
          noticeDate: dates.noticeDate,
          legalLastDay: dates.legalLastDay,
          plannedLastDay: dates.plannedLastDay,
        },
        probation: dates.probation,
      },
      tellEmployee: true,
    };
  });
}

/**
 * Records a last day both sides agreed on (Art. 37: earlier than the legal day only by agreement).
 * The day the employee asked for needs only the employer's word (HR's, recorded here); any other
 * day needs the employee's agreement too.
 */
export function agreeLastDay(
  deps: OffboardingDeps,
  input: AdminInput & { lastDay: string; employeeAgreement?: EmployeeAgreement },
) {
  return administer(deps, input, async (tx, state, writer, now) => {
    requireActive(state);
    if (!isIsoDate(input.lastDay)) throw new AppError("bad_request", "lastDay must be a date YYYY-MM-DD.");
    if (input.lastDay === state.row.agreedLastDay) return null;
    const asked = input.lastDay === state.row.requestedLastDay;
    const agreement = asked
      ? undefined
      : requireAgreement(
          input.employeeAgreement,
          "case.agreement_needed",
          "This is not the day the employee asked for: record the employee's agreement.",
        );
    const employee = await personByExternalId(tx, state.employee.externalId);
    const dates = caseDates({
      separationType: state.row.separationType,
      noticeDate: state.row.noticeDate,
      today: today(state, now),
      requestedLastDay: state.row.requestedLastDay,
      agreedLastDay: input.lastDay,
      probationEndDate: employee?.probationEndDate ?? null,
      contractEndDate: employee?.contractEndDate ?? null,
    });
    const from = state.row.plannedLastDay;
    await redate(tx, state, writer, now, dates);
    return {
      action: "case.last-day.agreed",
      data: {
        from,
        to: dates.plannedLastDay,
        legalLastDay: dates.legalLastDay,
        employeeAgreement: agreement ? agreementRecord(agreement) : "requested in the notice",
        employerAgreedBy: input.actor,
      },
      tellEmployee: true,
    };
  });
}

/** Sets a step's due date by hand; never after the last day (nor, for the transfer, after its Art. 203 date). */
export function overrideDueDate(
  deps: OffboardingDeps,
  input: AdminInput & { stepKey: string; dueDate: string },
) {
  return administer(deps, input, async (_tx, state, writer, now) => {
    requireActive(state);
    const { rule, step } = requireStep(state, input.stepKey);
    if (!isIsoDate(input.dueDate)) throw new AppError("bad_request", "dueDate must be a date YYYY-MM-DD.");
    const latest =
      rule.start.on === "termination" ? (step.dueDateExtended ?? step.dueDate) : state.row.plannedLastDay;
    const earliest = step.status === "active" && step.startDate ? step.startDate : state.row.noticeDate;
    if (input.dueDate > latest || input.dueDate < earliest) {
      throw new AppError("unprocessable", `The due date must be from ${earliest} to ${latest}.`, {
        messageKey: "case.due_out_of_range",
        params: { earliest, latest },
      });
    }
    if (input.dueDate === step.dueDate && step.dueOverride === input.dueDate) return null;
    const from = step.dueDate;
    writer.set(step.key, {
      dueOverride: input.dueDate,
      dueDate: input.dueDate,
      nextActionAt: step.status === "active" ? now : step.nextActionAt,
    });
    return { action: "case.step.due-overridden", data: { step: step.key, from, to: input.dueDate } };
  });
}
