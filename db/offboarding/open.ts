import { randomUUID } from "node:crypto";
import canonicalize from "canonicalize";
import { and, eq } from "drizzle-orm";
import { dateInTimeZone } from "../../core/compliance/dates.ts";
import { noticeDateOf } from "../../core/compliance/legal-clock.ts";
import { AppError } from "../../core/errors.ts";
import type { NoticeInput, NoticeReceipt, OpenCaseInput } from "../../core/offboarding/commands.ts";
import { scheduleSteps } from "../../core/offboarding/schedule.ts";
import { caseDates, isEmployeeNotice, type SeparationType } from "../../core/offboarding/separation.ts";
import type { OwnerRole } from "../../core/offboarding/template.ts";
import { templateFor } from "../../core/offboarding/templates.ts";
import { loadCalendar, withinCalendar } from "../calendar.ts";
import type { Db } from "../client.ts";
import { caseRequests, caseSteps, cases, evidenceEntries } from "../schema/index.ts";
import {
  advance,
  caseEvidence,
  groupOwner,
  hrChannel,
  loadState,
  managerOwner,
  notify,
  type OffboardingDeps,
  progressCase,
} from "./engine.ts";
import { rehomeOpenSteps } from "./rehome.ts";
import {
  activeCaseIdOf,
  calendarRegionOf,
  type PersonRef,
  personByExternalId,
  sha256,
} from "./repository.ts";

/** The largest notice text accepted (a notice is a few sentences). */
export const maxNoticeLength = 10_000;

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

class Replay extends Error {
  constructor(readonly caseId: string) {
    super("replay");
  }
}

function refuse(
  code: "unprocessable" | "conflict",
  messageKey: string,
  message: string,
  params = {},
): AppError {
  return new AppError(code, message, { messageKey, params });
}

export async function requirePerson(db: Db, externalId: string): Promise<PersonRef> {
  const person = await personByExternalId(db, externalId);
  if (!person) {
    throw refuse("unprocessable", "case.unknown_employee", `No employee has the id ${externalId}.`, {
      employee: externalId,
    });
  }
  if (person.status !== "active") {
    throw refuse("unprocessable", "case.employee_inactive", `${externalId} is ${person.status}.`, {
      employee: externalId,
      status: person.status,
    });
  }
  return person;
}

function alreadyOpen(caseId: string): AppError {
  return new AppError("conflict", `This employee already has an open case, ${caseId}.`, {
    messageKey: "case.already_open",
    params: { caseId },
    details: { caseId },
  });
}

type OpenRequest = OpenCaseInput & {
  now: Date;
  /** A notice given as text (chat): its hash, arrival and channel. */
  notice?: { textSha256: string; receivedAt: Date };
};

/** The fields that make two requests "the same" for an idempotency key. */
function requestHash(input: OpenRequest): string {
  return sha256(
    canonicalize({
      employeeExternalId: input.employeeExternalId,
      noticeDate: input.noticeDate,
      separationType: input.separationType ?? "resignation",
      requestedLastDay: input.requestedLastDay ?? null,
      reasonSha256: input.reason ? sha256(input.reason) : null,
      textSha256: input.notice?.textSha256 ?? null,
    }) ?? "",
  );
}

function ownerFor(role: OwnerRole, person: PersonRef, manager: string): string {
  switch (role) {
    case "employee":
      return person.principal;
    case "manager":
      return manager;
    case "finance":
    case "hr":
      return groupOwner(role);
  }
}

async function openInTransaction(tx: Db, deps: OffboardingDeps, input: OpenRequest): Promise<string> {
  const person = await requirePerson(tx, input.employeeExternalId);
  const fingerprint = requestHash(input);
  if (input.idempotencyKey) {
    const [seen] = await tx
      .select()
      .from(caseRequests)
      .where(and(eq(caseRequests.principal, input.actor), eq(caseRequests.key, input.idempotencyKey)));
    if (seen) {
      if (seen.requestSha256 === fingerprint) throw new Replay(seen.caseId);
      throw refuse(
        "conflict",
        "case.idempotency_conflict",
        "This Idempotency-Key was used for a different request.",
      );
    }
  }
  const running = await activeCaseIdOf(tx, person.id);
  if (running) {
    if (input.notice) {
      const [same] = await tx
        .select({ id: cases.id })
        .from(cases)
        .where(and(eq(cases.id, running), eq(cases.noticeTextSha256, input.notice.textSha256)));
      if (same) throw new Replay(running);
    }
    throw alreadyOpen(running);
  }

  const { now } = input;
  const type: SeparationType = input.separationType ?? "resignation";
  const region = await calendarRegionOf(tx, person.entityId);
  const calendar = await loadCalendar(tx, region);
  const openedOn = dateInTimeZone(now, person.timeZone);
  const dates = caseDates({
    separationType: type,
    noticeDate: input.noticeDate,
    today: openedOn,
    requestedLastDay: input.requestedLastDay ?? null,
    probationEndDate: person.probationEndDate,
    contractEndDate: person.contractEndDate,
  });
  const template = templateFor({ jurisdiction: person.jurisdiction, probation: dates.probation });
  const first = template.steps.find((s) => s.doneAtOpening);
  const timings = withinCalendar(() =>
    scheduleSteps(
      template,
      { calendar, noticeDate: dates.noticeDate, plannedLastDay: dates.plannedLastDay, openedOn },
      first ? { [first.key]: { startDate: openedOn, doneDate: openedOn } } : {},
    ),
  );

  const id = randomUUID();
  const channel = input.channel ?? "api";
  await tx.insert(cases).values({
    id,
    employeeId: person.id,
    separationType: type,
    templateId: template.id,
    templateVersion: template.version,
    region,
    timeZone: person.timeZone,
    entityId: person.entityId,
    probation: dates.probation,
    noticeDate: dates.noticeDate,
    noticeReceivedAt: input.notice?.receivedAt ?? now,
    noticeChannel: channel,
    noticeTextSha256: input.notice?.textSha256 ?? null,
    reasonSha256: input.reason ? sha256(input.reason) : null,
    legalLastDay: dates.legalLastDay,
    requestedLastDay: dates.requestedLastDay,
    agreedLastDay: null,
    plannedLastDay: dates.plannedLastDay,
    status: "open",
    openedBy: input.actor,
    openedOn,
    createdAt: now,
    updatedAt: now,
  });
  const manager = await managerOwner(tx, person);
  await tx.insert(caseSteps).values(
    template.steps.map((step, position) => {
      const timing = timings[step.key];
      const done = step.doneAtOpening;
      return {
        caseId: id,
        key: step.key,
        position,
        ownerRole: step.owner,
        owner: ownerFor(step.owner, person, manager),
        status: done ? ("done" as const) : ("pending" as const),
        startDate: timing?.startDate ?? openedOn,
        startedAt: done ? now : null,
        dueDate: timing?.dueDate ?? dates.plannedLastDay,
        dueDateExtended: timing?.dueDateExtended ?? null,
        completedAt: done ? now : null,
        completedBy: done ? input.actor : null,
        outcome: done ? "notice" : null,
        data: step.checklist.length
          ? { checklist: Object.fromEntries(step.checklist.map((item) => [item.id, false])) }
          : {},
        updatedAt: now,
      };
    }),
  );
  if (input.idempotencyKey) {
    const claimed = await tx
      .insert(caseRequests)
      .values({
        principal: input.actor,
        key: input.idempotencyKey,
        requestSha256: fingerprint,
        caseId: id,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ key: caseRequests.key });
    if (claimed.length === 0) {
      // Another request with this key committed meanwhile: answer as it did.
      const [seen] = await tx
        .select()
        .from(caseRequests)
        .where(and(eq(caseRequests.principal, input.actor), eq(caseRequests.key, input.idempotencyKey)));
      if (seen?.requestSha256 === fingerprint) throw new Replay(seen.caseId);
      throw refuse(
        "conflict",
        "case.idempotency_conflict",
        "This Idempotency-Key was used for a different request.",
      );
    }
  }

  const state = await loadState(tx, id);
  await caseEvidence(tx, state, {
    actor: input.actor,
    action: "case.opened",
    now,
    data: {
      separationType: type,
      template: `${template.id}@${template.version}`,
      probation: dates.probation,
      noticeDate: dates.noticeDate,
      legalLastDay: dates.legalLastDay,
      requestedLastDay: dates.requestedLastDay,
      plannedLastDay: dates.plannedLastDay,
      earlierDayNeedsAgreement: dates.earlierDayNeedsAgreement,
      channel,
      reasonSha256: input.reason ? sha256(input.reason) : null,
    },
  });
  if (input.notice) {
    await caseEvidence(tx, state, {
      actor: person.principal,
      action: "notice.received",
      now,
      data: {
        textSha256: input.notice.textSha256,
        receivedAt: input.notice.receivedAt.toISOString(),
        channel,
        noticeDate: dates.noticeDate,
        timeZone: person.timeZone,
        rule: "Civil Code Art. 137, Electronic Signature Law Art. 11: the notice counts from its arrival",
      },
    });
  }
  // An owner who is leaving hands their own open steps in other cases on (DESIGN §6).
  await rehomeOpenSteps(tx, { employeeId: person.id, actor: input.actor, now });

  const dateFacts = {
    caseId: id,
    employee: person.externalId,
    separationType: type,
    noticeDate: dates.noticeDate,
    legalLastDay: dates.legalLastDay,
    plannedLastDay: dates.plannedLastDay,
  };
  await notify(
    tx,
    state,
    {
      kind: "case.opened",
      recipient: hrChannel(state),
      data: {
        ...dateFacts,
        requestedLastDay: dates.requestedLastDay,
        probation: dates.probation,
        earlierDayNeedsAgreement: dates.earlierDayNeedsAgreement,
      },
      dedupeKey: `case.opened:${id}`,
    },
    now,
  );
  if (isEmployeeNotice(type)) {
    await notify(
      tx,
      state,
      {
        kind: "notice.receipt",
        recipient: { type: "person", principal: person.principal },
        urgency: "legal",
        data: {
          ...dateFacts,
          receivedAt: (input.notice?.receivedAt ?? now).toISOString(),
          channel,
          ...(input.notice ? { textSha256: input.notice.textSha256 } : {}),
        },
        dedupeKey: `notice.receipt:${id}`,
      },
      now,
    );
  }
  await advance(tx, state, { now, gates: deps.gates.length === 0 ? [] : undefined, remindAll: true });
  return id;
}

/**
 * Opens a case (DESIGN §6): the dates from the separation type, the steps from the template with
 * their owners and projected due dates, the evidence and the first notifications, in one
 * transaction. With an idempotency key the same request answers the same case (`created: false`);
 * a different request under the same key, or a second running case for the employee, is a 409.
 */
export async function openCase(
  deps: OffboardingDeps,
  input: OpenRequest,
): Promise<{ caseId: string; created: boolean }> {
  let caseId: string;
  try {
    caseId = await deps.database.db.transaction((tx) => openInTransaction(tx as unknown as Db, deps, input));
  } catch (error) {
    if (error instanceof Replay) return { caseId: error.caseId, created: false };
    if (isUniqueViolation(error)) {
      // A concurrent request won the race: the same request under the same key answers its case.
      if (input.idempotencyKey) {
        const [seen] = await deps.database.db
          .select()
          .from(caseRequests)
          .where(and(eq(caseRequests.principal, input.actor), eq(caseRequests.key, input.idempotencyKey)));
        if (seen?.requestSha256 === requestHash(input)) return { caseId: seen.caseId, created: false };
      }
      const person = await personByExternalId(deps.database.db, input.employeeExternalId);
      const running = person ? await activeCaseIdOf(deps.database.db, person.id) : undefined;
      if (running) throw alreadyOpen(running);
    }
    throw error;
  }
  deps.chainWriter?.wake();
  if (deps.gates.length > 0) await progressCase(deps, caseId, input.now);
  return { caseId, created: true };
}

/**
 * Records a resignation notice given in chat (DESIGN §6): its SHA-256, its arrival time, and the
 * notice date in the employee's time zone (law-calendar R2); opens the case and answers the
 * receipt. A retry (same idempotency key, or the same text while the case runs) answers the same.
 */
export async function giveNotice(deps: OffboardingDeps, input: NoticeInput): Promise<NoticeReceipt> {
  if (input.text.trim().length === 0 || input.text.length > maxNoticeLength) {
    throw new AppError("bad_request", `The notice text must have 1 to ${maxNoticeLength} characters.`, {
      messageKey: "case.notice_text",
      params: { max: maxNoticeLength },
    });
  }
  if (Number.isNaN(input.receivedAt.getTime()))
    throw new AppError("bad_request", "receivedAt is not a time.");
  const person = await requirePerson(deps.database.db, input.employeeExternalId);
  const textHash = sha256(input.text);
  const noticeDate = noticeDateOf(input.receivedAt, person.timeZone);
  const { caseId, created } = await openCase(deps, {
    employeeExternalId: person.externalId,
    noticeDate,
    separationType: "resignation",
    requestedLastDay: input.requestedLastDay ?? null,
    actor: person.principal,
    channel: input.channel,
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    now: deps.clock.now(),
    notice: { textSha256: textHash, receivedAt: input.receivedAt },
  });
  const { db } = deps.database;
  const [row] = await db.select().from(cases).where(eq(cases.id, caseId));
  const [evidence] = await db
    .select({ id: evidenceEntries.id })
    .from(evidenceEntries)
    .where(and(eq(evidenceEntries.subject, `case:${caseId}`), eq(evidenceEntries.action, "notice.received")));
  if (!row) throw new Error(`case ${caseId} vanished`);
  return {
    caseId,
    noticeDate: row.noticeDate,
    legalLastDay: row.legalLastDay,
    plannedLastDay: row.plannedLastDay,
    textHash: row.noticeTextSha256 ?? textHash,
    receivedAt: row.noticeReceivedAt.toISOString(),
    channel: row.noticeChannel,
    evidenceId: evidence?.id ?? "",
    created,
  };
}
