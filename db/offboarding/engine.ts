import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { canonicalEntry, toChainEntry } from "../../core/audit/chain.ts";
import type { BusinessCalendar } from "../../core/compliance/calendar.ts";
import { dateInTimeZone, type IsoDate } from "../../core/compliance/dates.ts";
import { destinationOf, type Notification, type Recipient } from "../../core/notifications/notification.ts";
import type { CheckGate, GateOutcome } from "../../core/offboarding/gates.ts";
import { type ProgressAction, planProgress } from "../../core/offboarding/progress.ts";
import { instantAt, type ReminderOwner, remindersDue } from "../../core/offboarding/reminders.ts";
import { dueDateFor, type StepFacts, scheduleSteps } from "../../core/offboarding/schedule.ts";
import { stepOf, type Template } from "../../core/offboarding/template.ts";
import { templateById } from "../../core/offboarding/templates.ts";
import { financeGroup, hrGroup } from "../../core/offboarding/transitions.ts";
import type { Clock } from "../../core/ports.ts";
import { loadCalendar } from "../calendar.ts";
import type { Database, Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { caseSteps, cases, employees, evidenceEntries } from "../schema/index.ts";
import {
  type CaseRow,
  caseWithEmployee,
  type PersonRef,
  peopleWithManagers,
  personById,
  type StepRow,
  stepsOf,
  updateCase,
} from "./repository.ts";

/** What the offboarding engine needs from the running application. */
export type OffboardingDeps = {
  database: Database;
  /** The check step's gates (agreements signed, training passed); none → the check passes with a note. */
  gates: readonly CheckGate[];
  clock: Clock;
  logger?: {
    warn(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
  /** Woken after commits that recorded evidence. */
  chainWriter?: { wake(): void };
};

/** How often an open check step reads its gates again (a signature or a passed quiz lets it pass). */
export const gateRecheckMs = 10 * 60_000;

export const systemActor = "system:baton";

/** A case loaded inside a transaction, with what its rules need. */
export type CaseState = {
  row: CaseRow;
  steps: StepRow[];
  employee: PersonRef;
  template: Template;
  calendar: BusinessCalendar;
};

/** Business calendars by region, kept for one tick: HR overrides change rarely. */
export type CalendarCache = Map<string, BusinessCalendar>;

/** The region's calendar, from the cache when it has it. */
export async function calendarFor(db: Db, region: string, cache?: CalendarCache): Promise<BusinessCalendar> {
  const cached = cache?.get(region);
  if (cached) return cached;
  const calendar = await loadCalendar(db, region);
  cache?.set(region, calendar);
  return calendar;
}

export async function loadState(
  tx: Db,
  caseId: string,
  options: { lock?: boolean; calendars?: CalendarCache } = {},
): Promise<CaseState> {
  const { row, employee } = await caseWithEmployee(tx, caseId, options);
  const steps = await stepsOf(tx, caseId);
  const calendar = await calendarFor(tx, row.region, options.calendars);
  const template = templateById(row.templateId);
  if (!template) throw new Error(`case ${caseId}: template ${row.templateId} missing`);
  return { row, steps, employee, template, calendar };
}

export function today(state: CaseState, now: Date): IsoDate {
  return dateInTimeZone(now, state.row.timeZone);
}

export function hrChannel(state: CaseState): Recipient {
  return { type: "channel", purpose: "hr", ...(state.row.entityId ? { entityId: state.row.entityId } : {}) };
}

/** Writes a notification and, when it is new, the evidence that it was queued. */
export async function notify(
  tx: Db,
  state: CaseState,
  notification: Notification,
  now: Date,
): Promise<boolean> {
  return (await notifyAll(tx, state, [notification], now)) > 0;
}

/**
 * Writes notifications (each once: a dedupe key seen before is skipped) and one evidence entry per
 * message actually queued, in one insert. Returns how many were new.
 */
export async function notifyAll(
  tx: Db,
  state: CaseState,
  notifications: readonly Notification[],
  now: Date,
): Promise<number> {
  const entries: (typeof evidenceEntries.$inferInsert)[] = [];
  for (const notification of notifications) {
    if (!(await enqueueNotification(tx, notification, now))) continue;
    const id = randomUUID();
    const entry = {
      at: now,
      actor: systemActor,
      action: "case.notification.queued",
      subject: `case:${state.row.id}`,
      data: {
        kind: notification.kind,
        step: (notification.data.step as string | undefined) ?? null,
        dedupeKey: notification.dedupeKey,
        destination: destinationOf(notification.recipient),
      },
    };
    canonicalEntry(toChainEntry(id, entry)); // as recordEvidence: refuse what the chain could not hash
    entries.push({ id, ...entry });
  }
  if (entries.length > 0) await tx.insert(evidenceEntries).values(entries);
  return entries.length;
}

export async function caseEvidence(
  tx: Db,
  state: CaseState,
  input: { actor: string; action: string; data: Record<string, unknown>; now: Date },
): Promise<string> {
  return recordEvidence(tx, {
    at: input.now,
    actor: input.actor,
    action: input.action,
    subject: `case:${state.row.id}`,
    data: { caseId: state.row.id, employee: state.employee.externalId, ...input.data },
  });
}

/** A person can own steps when active and not leaving themselves. */
export async function isAvailable(tx: Db, person: PersonRef | undefined): Promise<boolean> {
  if (person?.status !== "active") return false;
  const [open] = await tx
    .select({ id: cases.id })
    .from(cases)
    .where(and(eq(cases.employeeId, person.id), inArray(cases.status, ["open", "on-hold"])));
  return open === undefined;
}

/** The owner of a manager's step: the leaver's manager when available, else HR. */
export async function managerOwner(tx: Db, employee: PersonRef): Promise<string> {
  if (!employee.managerId) return hrGroup;
  const manager = await personById(tx, employee.managerId);
  return manager && manager.id !== employee.id && (await isAvailable(tx, manager))
    ? manager.principal
    : hrGroup;
}

export function groupOwner(role: "finance" | "hr"): string {
  return role === "finance" ? financeGroup : hrGroup;
}

function doneDateOf(step: StepRow, timeZone: string): IsoDate | null {
  return step.completedAt ? dateInTimeZone(step.completedAt, timeZone) : null;
}

function scheduleContext(state: CaseState) {
  return {
    calendar: state.calendar,
    noticeDate: state.row.noticeDate,
    plannedLastDay: state.row.plannedLastDay,
    openedOn: state.row.openedOn,
  };
}

/** Tracks which steps changed, so only they are written back. */
export class StepWriter {
  private readonly dirty = new Set<string>();
  constructor(private readonly state: CaseState) {}
  get(key: string): StepRow {
    const step = this.state.steps.find((s) => s.key === key);
    if (!step) throw new Error(`case ${this.state.row.id} has no step ${key}`);
    return step;
  }
  set(key: string, values: Partial<StepRow>): StepRow {
    const step = this.get(key);
    Object.assign(step, values);
    this.dirty.add(key);
    return step;
  }
  async flush(tx: Db, now: Date): Promise<void> {
    for (const key of this.dirty) {
      const s = this.get(key);
      await tx
        .update(caseSteps)
        .set({
          owner: s.owner,
          assignedBy: s.assignedBy,
          assignment: s.assignment,
          receiver: s.receiver,
          delegates: s.delegates,
          status: s.status,
          startDate: s.startDate,
          startedAt: s.startedAt,
          dueDate: s.dueDate,
          dueDateExtended: s.dueDateExtended,
          dueOverride: s.dueOverride,
          completedAt: s.completedAt,
          completedBy: s.completedBy,
          outcome: s.outcome,
          data: s.data,
          nextActionAt: s.nextActionAt,
          updatedAt: now,
        })
        .where(and(eq(caseSteps.caseId, s.caseId), eq(caseSteps.key, s.key)));
    }
    this.dirty.clear();
  }
}

export function stepWriter(state: CaseState): StepWriter {
  return new StepWriter(state);
}

function gateSummary(outcomes: readonly GateOutcome[]) {
  return outcomes.map((g) => ({
    gate: g.gate,
    satisfied: g.satisfied,
    items: g.items.map((i) => ({ id: i.id, satisfied: i.satisfied })),
  }));
}

/**
 * Moves a case on inside the caller's transaction (the case row locked): starts the steps whose
 * time has come, passes the check, records last-day exceptions, closes a finished case, projects
 * the steps not started yet, and runs the reminder policy for every started step that is due for
 * it. `gates`: as just read ([] when none are registered), or undefined when not read this time.
 */
export async function advance(
  tx: Db,
  state: CaseState,
  input: { now: Date; gates: readonly GateOutcome[] | undefined; writer?: StepWriter; remindAll?: boolean },
): Promise<ProgressAction[]> {
  const { now } = input;
  const writer = input.writer ?? stepWriter(state);
  const tz = state.row.timeZone;
  const day = today(state, now);
  const actions = planProgress({
    template: state.template,
    caseStatus: state.row.status,
    steps: state.steps.map((s) => ({
      key: s.key,
      status: s.status,
      startDate: s.status === "pending" ? null : s.startDate,
      dueDate: s.dueDate,
      doneDate: doneDateOf(s, tz),
    })),
    today: day,
    plannedLastDay: state.row.plannedLastDay,
    gates: input.gates,
    exceptionsRecorded: state.row.exceptionsRecordedAt !== null,
  });
  const ctx = scheduleContext(state);

  for (const action of actions) {
    switch (action.type) {
      case "start": {
        const rule = stepOf(state.template, action.step);
        if (!rule) break;
        const current = writer.get(action.step);
        const due = dueDateFor(rule, action.startDate, ctx);
        const step = writer.set(action.step, {
          status: "active",
          startDate: action.startDate,
          startedAt: now,
          dueDate: current.dueOverride ?? due.dueDate,
          dueDateExtended: due.dueDateExtended ?? null,
          nextActionAt: now,
        });
        await caseEvidence(tx, state, {
          actor: systemActor,
          action: "case.step.started",
          now,
          data: {
            step: step.key,
            startDate: action.startDate,
            because: action.because,
            dueDate: step.dueDate,
            owner: step.owner,
          },
        });
        break;
      }
      case "pass-check": {
        writer.set(action.step, {
          status: "done",
          completedAt: now,
          completedBy: systemActor,
          outcome: action.outcome,
          nextActionAt: null,
          data: { ...writer.get(action.step).data, gates: gateSummary(input.gates ?? []) },
        });
        await caseEvidence(tx, state, {
          actor: systemActor,
          action: "case.check.passed",
          now,
          data: {
            step: action.step,
            outcome: action.outcome,
            gates: gateSummary(input.gates ?? []),
            ...(action.outcome === "no-gates" ? { note: "no check gates are registered" } : {}),
          },
        });
        break;
      }
      case "record-exceptions": {
        const unsatisfied = action.unsatisfied === "unknown" ? "unknown" : gateSummary(action.unsatisfied);
        writer.set(action.step, {
          status: "done",
          completedAt: now,
          completedBy: systemActor,
          outcome: "exception",
          nextActionAt: null,
          data: { ...writer.get(action.step).data, exceptions: unsatisfied },
        });
        await updateCase(tx, state.row, { exceptionsRecordedAt: now }, now);
        state.row.exceptionsRecordedAt = now;
        state.row.version += 1;
        const evidenceId = await caseEvidence(tx, state, {
          actor: systemActor,
          action: "case.exception.recorded",
          now,
          data: {
            step: action.step,
            plannedLastDay: state.row.plannedLastDay,
            unsatisfied,
            openSteps: [...action.openSteps],
            note: "the last day and the certificate do not move (LCL Arts. 37, 50)",
          },
        });
        await notify(
          tx,
          state,
          {
            kind: "case.exception",
            recipient: hrChannel(state),
            urgency: "legal",
            data: {
              caseId: state.row.id,
              employee: state.employee.externalId,
              plannedLastDay: state.row.plannedLastDay,
              gates: unsatisfied === "unknown" ? "unknown" : unsatisfied.map((g) => g.gate),
              openSteps: [...action.openSteps],
              evidenceId,
            },
            dedupeKey: `exception:${state.row.id}`,
          },
          now,
        );
        break;
      }
      case "close": {
        await updateCase(tx, state.row, { status: "closed", closedAt: now }, now);
        state.row.status = "closed";
        state.row.closedAt = now;
        state.row.version += 1;
        await caseEvidence(tx, state, { actor: systemActor, action: "case.closed", now, data: {} });
        await notify(
          tx,
          state,
          {
            kind: "case.updated",
            recipient: hrChannel(state),
            data: { caseId: state.row.id, employee: state.employee.externalId, action: "closed" },
            dedupeKey: `case.closed:${state.row.id}`,
          },
          now,
        );
        break;
      }
    }
  }

  projectPending(state, writer, now);
  await remind(tx, state, writer, {
    now,
    all: input.remindAll === true,
    gatesRegistered: input.gates?.length !== 0,
  });
  await writer.flush(tx, now);
  return actions;
}

/**
 * Projects the steps not started yet (their latest start and due date, from what has happened so
 * far) and when the tick must look at them: the day the step they follow falls due, or the last day.
 */
export function projectPending(state: CaseState, writer: StepWriter, now: Date): void {
  const tz = state.row.timeZone;
  const facts: Record<string, StepFacts> = {};
  for (const s of state.steps) {
    facts[s.key] = {
      startDate: s.status === "pending" ? null : s.startDate,
      doneDate: doneDateOf(s, tz),
      dueOverride: s.dueOverride,
    };
  }
  const timings = scheduleSteps(state.template, scheduleContext(state), facts);
  for (const rule of state.template.steps) {
    const step = state.steps.find((s) => s.key === rule.key);
    const timing = timings[rule.key];
    if (!step || !timing || step.status !== "pending") continue;
    let next: Date | null = null;
    if (state.row.status === "open" || state.row.status === "on-hold") {
      if (rule.start.on === "termination") next = instantAt(state.row.plannedLastDay, 0, tz);
      else if (rule.start.on === "notice") next = now;
      else {
        const before = state.steps.find((s) => s.key === (rule.start as { step: string }).step);
        if (before?.status === "active") next = instantAt(before.dueDate, 0, tz);
      }
    }
    const changed =
      step.startDate !== timing.startDate ||
      step.dueDate !== timing.dueDate ||
      (step.dueDateExtended ?? null) !== (timing.dueDateExtended ?? null) ||
      (step.nextActionAt?.getTime() ?? null) !== (next?.getTime() ?? null);
    if (changed) {
      writer.set(rule.key, {
        startDate: timing.startDate,
        dueDate: timing.dueDate,
        dueDateExtended: timing.dueDateExtended ?? null,
        nextActionAt: next,
      });
    }
  }
}

async function remind(
  tx: Db,
  state: CaseState,
  writer: StepWriter,
  input: { now: Date; all: boolean; gatesRegistered: boolean },
): Promise<void> {
  const { now } = input;
  const active = state.steps.filter(
    (s) => s.status === "active" && (input.all || (s.nextActionAt !== null && s.nextActionAt <= now)),
  );
  if (active.length === 0 || (state.row.status !== "open" && state.row.status !== "on-hold")) return;
  const people = await peopleWithManagers(tx, [
    ...active.map((s) => s.owner),
    ...active.flatMap((s) => (s.receiver ? [s.receiver] : [])),
  ]);
  const tz = state.row.timeZone;
  const queued: Notification[] = [];

  for (const step of active) {
    const rule = stepOf(state.template, step.key);
    if (!rule) continue;
    const person = people.get(step.owner);
    const owner: ReminderOwner = person
      ? { kind: "person", principal: person.principal, timeZone: person.timeZone, manager: person.manager }
      : { kind: "group", purpose: step.owner === financeGroup ? "finance" : "hr" };
    const receiver = rule.withReceiver && step.receiver ? people.get(step.receiver) : undefined;
    const plan = remindersDue(
      {
        caseId: state.row.id,
        stepKey: step.key,
        employee: state.employee.externalId,
        entityId: state.row.entityId,
        startDate: step.startDate ?? step.dueDate,
        dueDate: step.dueDate,
        ...(step.dueDateExtended ? { dueDateExtended: step.dueDateExtended } : {}),
        assignment: step.assignment,
        owner,
        receiver: receiver ? { principal: receiver.principal, timeZone: receiver.timeZone } : null,
        legal: rule.legalDeadline !== undefined,
        onHold: state.row.status === "on-hold",
      },
      { now, calendar: state.calendar, caseTimeZone: tz },
    );
    queued.push(...plan.notifications);
    for (const delegate of step.delegates) {
      queued.push({
        kind: "step.assigned",
        recipient: { type: "person", principal: delegate },
        data: {
          caseId: state.row.id,
          step: step.key,
          employee: state.employee.externalId,
          dueDate: step.dueDate,
          role: "delegate",
        },
        dedupeKey: `assigned:${state.row.id}:${step.key}:delegate:${delegate}`,
      });
    }
    let next = plan.nextRunAt;
    if (rule.readsGates) {
      if (input.gatesRegistered) next = earlier(next, new Date(now.getTime() + gateRecheckMs));
      if (!state.row.exceptionsRecordedAt) next = earlier(next, instantAt(state.row.plannedLastDay, 0, tz));
      if (next <= now) next = new Date(now.getTime() + gateRecheckMs);
    }
    writer.set(step.key, { nextActionAt: next });
  }
  await notifyAll(tx, state, queued, now);
}

function earlier(a: Date, b: Date): Date {
  return a <= b ? a : b;
}

export type GateSubject = { caseId: string; employeeExternalId: string; role: string | null };

function gateInput(subject: GateSubject, now: Date) {
  return {
    employeeExternalId: subject.employeeExternalId,
    role: subject.role,
    caseId: subject.caseId,
    at: now,
  };
}

/** Reads every gate for the case's check step; undefined when one of them fails (the check then waits). */
export async function readGates(
  deps: OffboardingDeps,
  subject: GateSubject,
  now: Date,
): Promise<GateOutcome[] | undefined> {
  if (deps.gates.length === 0) return [];
  try {
    return await Promise.all(deps.gates.map((gate) => gate.evaluate(gateInput(subject, now))));
  } catch (error) {
    deps.logger?.warn(
      { caseId: subject.caseId, error: error instanceof Error ? error.name : "Error" },
      "a check gate could not be read",
    );
    return undefined;
  }
}

/**
 * Asks once per case for what the gates miss (a signature request, a course assignment): the
 * step is claimed first, so two instances never both ask.
 */
async function requestMissing(
  deps: OffboardingDeps,
  state: CaseState,
  outcomes: readonly GateOutcome[],
  now: Date,
): Promise<void> {
  const check = state.steps.find((s) => s.status === "active" && stepOf(state.template, s.key)?.readsGates);
  if (!check || outcomes.every((o) => o.satisfied)) return;
  const claimed = await deps.database.db
    .update(caseSteps)
    .set({
      data: sql`${caseSteps.data} || ${JSON.stringify({ gatesRequestedAt: now.toISOString() })}::jsonb`,
    })
    .where(
      and(
        eq(caseSteps.caseId, check.caseId),
        eq(caseSteps.key, check.key),
        eq(caseSteps.status, "active"),
        sql`(${caseSteps.data} ->> 'gatesRequestedAt') is null`,
      ),
    )
    .returning({ key: caseSteps.key });
  if (claimed.length === 0) return;
  const input = gateInput(
    { caseId: state.row.id, employeeExternalId: state.employee.externalId, role: state.employee.role },
    now,
  );
  for (const gate of deps.gates) {
    const outcome = outcomes.find((o) => o.gate === gate.name);
    if (!gate.request || outcome?.satisfied) continue;
    try {
      await gate.request(input);
    } catch (error) {
      deps.logger?.warn(
        { caseId: state.row.id, gate: gate.name, error: error instanceof Error ? error.name : "Error" },
        "a check gate's request failed",
      );
    }
  }
}

/** What progress needs to know before its transaction: is the case running, and is its check open. */
async function probe(db: Db, caseId: string) {
  const rows = await db
    .select({
      status: cases.status,
      region: cases.region,
      templateId: cases.templateId,
      employeeExternalId: employees.externalId,
      role: employees.role,
      activeStep: caseSteps.key,
    })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .leftJoin(caseSteps, and(eq(caseSteps.caseId, cases.id), eq(caseSteps.status, "active")))
    .where(eq(cases.id, caseId));
  const first = rows[0];
  if (!first) return undefined;
  const template = templateById(first.templateId);
  const checkOpen = rows.some((r) => r.activeStep && template && stepOf(template, r.activeStep)?.readsGates);
  return { ...first, checkOpen };
}

/**
 * Moves one case on: reads its gates outside any transaction (they may do their own I/O), then in
 * one transaction with the case row locked applies what is due, then nudges for missing gates.
 * Safe to run from several instances at once: the lock orders them and the second finds nothing due.
 */
export async function progressCase(
  deps: OffboardingDeps,
  caseId: string,
  now: Date,
  calendars: CalendarCache = new Map(),
): Promise<void> {
  const { db } = deps.database;
  const before = await probe(db, caseId);
  if (!before || (before.status !== "open" && before.status !== "on-hold")) return;
  const outcomes = before.checkOpen
    ? await readGates(deps, { caseId, employeeExternalId: before.employeeExternalId, role: before.role }, now)
    : deps.gates.length === 0
      ? []
      : undefined;
  await calendarFor(db, before.region, calendars);
  const after = await db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const state = await loadState(tx, caseId, { lock: true, calendars });
    await advance(tx, state, { now, gates: outcomes });
    return state;
  });
  deps.chainWriter?.wake();
  if (outcomes && outcomes.length > 0) await requestMissing(deps, after, outcomes, now);
}
