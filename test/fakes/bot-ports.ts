import type { BotPerson, BotPorts, ConversationKey, QuizPaper } from "../../bots/ports.ts";
import type { Option } from "../../cards/model.ts";
import { addDays, type IsoDate } from "../../core/compliance/dates.ts";
import { legalLastDay } from "../../core/compliance/legal-clock.ts";
import { AppError } from "../../core/errors.ts";
import { translate } from "../../core/messages/index.ts";
import type { CaseView, StepView } from "../../core/offboarding/case.ts";
import { applyTicks, decideChecklistSave } from "../../core/offboarding/checklist.ts";
import type { CompleteStepInput, NoticeInput, SaveChecklistInput } from "../../core/offboarding/commands.ts";
import { actingParty, decideCompletion } from "../../core/offboarding/transitions.ts";

/**
 * In-memory ports for the bot engine's unit tests: a few people, cases whose step completion
 * follows the core's rule on who may act, a conversation store, and simple agreements and training.
 * Every call is recorded in `calls`.
 */

export const fakeNow = new Date("2026-03-02T02:00:00Z"); // Monday 10:00 in Shanghai

export function person(externalId: string, extra: Partial<BotPerson> = {}): BotPerson {
  return {
    principal: `employee:${externalId}`,
    externalId,
    name: `Name ${externalId}`,
    locale: "en",
    timeZone: "Asia/Shanghai",
    probationEndDate: null,
    functions: [],
    managesPeople: false,
    ...extra,
  };
}

function step(
  key: string,
  ownerRole: StepView["ownerRole"],
  owner: string,
  status: StepView["status"],
  dueDate: IsoDate,
): StepView {
  return {
    key,
    ownerRole,
    owner,
    receiver: null,
    delegates: [],
    status,
    startDate: "2026-03-02",
    projected: status === "pending",
    startedAt: status === "pending" ? null : "2026-03-02T02:00:00.000Z",
    dueDate,
    dueOverridden: false,
    completedAt: status === "done" ? "2026-03-02T02:00:00.000Z" : null,
    completedBy: null,
    outcome: null,
    ...(key === "handover" ? { checklist: { documents: false, code: false, equipment: false } } : {}),
  };
}

/** A cn-standard case of `employee` (managed by `manager`), at the acknowledge step. */
export function caseOf(
  id: string,
  employee: string,
  manager: string,
  noticeDate: IsoDate = "2026-03-02",
): CaseView {
  const last = legalLastDay(noticeDate, false);
  return {
    id,
    employeeExternalId: employee,
    separationType: "resignation",
    article: "LCL Art. 37",
    template: { id: "cn-standard", version: 1 },
    probation: false,
    noticeDate,
    noticeReceivedAt: `${noticeDate}T02:00:00.000Z`,
    noticeChannel: "slack",
    legalLastDay: last,
    requestedLastDay: null,
    agreedLastDay: null,
    plannedLastDay: last,
    earlierDayNeedsAgreement: false,
    certificateDue: last,
    transferDue: addDays(last, 15),
    transferDueExtended: addDays(last, 15),
    status: "open",
    openedAt: `${noticeDate}T02:00:00.000Z`,
    closedAt: null,
    exceptionsRecordedAt: null,
    steps: [
      step("apply", "employee", `employee:${employee}`, "done", noticeDate),
      step("acknowledge", "manager", `employee:${manager}`, "active", addDays(noticeDate, 1)),
      step("check", "employee", `employee:${employee}`, "active", addDays(noticeDate, 2)),
      step("handover", "manager", `employee:${manager}`, "pending", addDays(noticeDate, 5)),
      step("settlement", "finance", "group:finance", "pending", addDays(noticeDate, 7)),
      step("procedures", "hr", "group:hr", "pending", last),
    ],
  };
}

export type FakeWorld = {
  people: BotPerson[];
  /** Platform identities: `slack:U1` → external id. */
  identities: Record<string, string>;
  cases: CaseView[];
  /** Pending signature requests: request id → owner external id. */
  requests: Record<string, string>;
  /** Open courses by owner external id. */
  courses: Record<string, string[]>;
};

export type FakePorts = BotPorts & {
  calls: {
    giveNotice: NoticeInput[];
    completeStep: CompleteStepInput[];
    saveChecklist: SaveChecklistInput[];
    bind: unknown[];
    sign: unknown[];
    answers: { attemptId: string; questionId: string; choices: string[] }[];
    pages: { from: number | null; to: number }[];
    saves: { key: ConversationKey; state: unknown }[];
  };
  store: Map<string, unknown>;
  world: FakeWorld;
};

const storeKey = (k: ConversationKey) => `${k.surface}|${k.chatId}|${k.principal}|${k.kind}`;

export function fakePorts(partial: Partial<FakeWorld> = {}): FakePorts {
  const world: FakeWorld = {
    people: [],
    identities: {},
    cases: [],
    requests: {},
    courses: {},
    ...partial,
  };
  const calls: FakePorts["calls"] = {
    giveNotice: [],
    completeStep: [],
    saveChecklist: [],
    bind: [],
    sign: [],
    answers: [],
    pages: [],
    saves: [],
  };
  const store = new Map<string, unknown>();
  const byId = (externalId: string) => world.people.find((p) => p.externalId === externalId);
  const getCase = async (id: string) => {
    const found = world.cases.find((c) => c.id === id);
    if (!found) throw new AppError("not_found", "no case", { messageKey: "case.not_found", params: { id } });
    return found;
  };
  const papers = new Map<string, QuizPaper & { answers: Record<string, string[]> }>();

  return {
    calls,
    store,
    world,
    now: () => fakeNow,
    t: translate,
    async identify(surface, who) {
      if (who.principal) return byId(who.principal.replace(/^employee:/, ""));
      const id = world.identities[`${surface}:${who.userId}`];
      return id ? byId(id) : undefined;
    },
    cases: {
      async giveNotice(input) {
        calls.giveNotice.push(input);
        const id = `case-${input.employeeExternalId}`;
        const existing = world.cases.find((c) => c.id === id);
        const manager = "M1";
        const view = existing ?? caseOf(id, input.employeeExternalId, manager);
        if (!existing) world.cases.push(view);
        return {
          caseId: view.id,
          noticeDate: view.noticeDate,
          legalLastDay: view.legalLastDay,
          plannedLastDay: input.requestedLastDay ?? view.plannedLastDay,
          textHash: "ab".repeat(32),
          receivedAt: input.receivedAt.toISOString(),
          channel: input.channel,
          evidenceId: "ev-1",
          created: !existing,
        };
      },
      async completeStep(input) {
        calls.completeStep.push(input);
        const view = await getCase(input.caseId);
        const target = view.steps.find((s) => s.key === input.stepKey);
        if (!target) throw new AppError("not_found", "no step", { messageKey: "case.step_not_found" });
        const external = input.actor.replace(/^employee:/, "");
        const decision = decideCompletion({
          step: { ...target, readsGates: false },
          actor: actingParty(input.actor, byId(external)?.functions ?? []),
          employee: `employee:${view.employeeExternalId}`,
          hasReason: Boolean(input.note),
        });
        if (!decision.allowed) {
          throw decision.refusal === "reason-required"
            ? new AppError("unprocessable", "reason", { messageKey: "case.reason_required" })
            : new AppError("forbidden", "not yours", {
                messageKey: "case.step_not_yours",
                params: { step: target.key },
              });
        }
        if (target.status === "done") return { case: view, changed: false, capacity: decision.capacity };
        if (decision.capacity !== "receiver") target.status = "done";
        const receiver = input.data?.receiver;
        if (typeof receiver === "string") {
          const handover = view.steps.find((s) => s.key === "handover");
          if (handover)
            handover.receiver = receiver.startsWith("employee:") ? receiver : `employee:${receiver}`;
        }
        return { case: view, changed: true, capacity: decision.capacity };
      },
      async saveChecklist(input) {
        calls.saveChecklist.push(input);
        const view = await getCase(input.caseId);
        const target = view.steps.find((s) => s.key === input.stepKey);
        if (!target) throw new AppError("not_found", "no step", { messageKey: "case.step_not_found" });
        const decision = decideChecklistSave(
          decideCompletion({
            step: { ...target, readsGates: false },
            actor: actingParty(input.actor, byId(input.actor.replace(/^employee:/, ""))?.functions ?? []),
            employee: `employee:${view.employeeExternalId}`,
            hasReason: Boolean(input.note),
          }),
        );
        if (!decision.allowed) {
          throw new AppError("forbidden", "not yours", {
            messageKey: "case.checklist_not_yours",
            params: { step: target.key },
          });
        }
        const change = applyTicks(target.checklist ?? {}, input.checklist);
        if (!change.ok) throw new AppError("unprocessable", "unknown", { messageKey: "case.step_data" });
        target.checklist = change.checklist;
        return { case: view, changed: change.changed.length > 0, capacity: decision.capacity };
      },
      getCase,
      async activeCaseOf(externalId) {
        return world.cases.find((c) => c.employeeExternalId === externalId && c.status === "open");
      },
      async list(filter) {
        return world.cases
          .filter((c) => filter.status === "all" || c.status === "open")
          .slice(0, filter.limit);
      },
      async involving(principal, limit) {
        return world.cases
          .filter((c) => c.steps.some((s) => s.owner === principal || s.receiver === principal))
          .slice(0, limit);
      },
      async checklistLabels() {
        return {};
      },
    },
    people: {
      async search(query, limit) {
        const q = query.toLowerCase();
        return world.people
          .filter((p) => p.name.toLowerCase().includes(q) || p.externalId.toLowerCase().includes(q))
          .slice(0, limit)
          .map((p): Option => ({ label: `${p.name} (${p.externalId})`, value: p.principal }));
      },
      async colleaguesOf(externalId, limit) {
        return world.people
          .filter((p) => p.externalId !== externalId)
          .slice(0, limit)
          .map((p) => ({ label: p.name, value: p.principal }));
      },
      async names(ids) {
        return Object.fromEntries(ids.map((id) => [id, byId(id)?.name ?? id]));
      },
    },
    agreements: {
      async pending(principal) {
        return Object.entries(world.requests)
          .filter(([, owner]) => `employee:${owner}` === principal)
          .map(([requestId]) => ({ requestId, agreementId: "confidentiality" }));
      },
      async toSign({ principal, requestId }) {
        if (`employee:${world.requests[requestId]}` !== principal) {
          throw new AppError("forbidden", "not yours", { messageKey: "agreement.not_yours" });
        }
        return {
          requestId,
          title: "Confidentiality",
          version: 1,
          sha256: "cd".repeat(32),
          textUrl: "http://127.0.0.1:8787/a/login",
        };
      },
      async sign(input) {
        calls.sign.push(input);
        if (`employee:${world.requests[input.requestId]}` !== input.principal) {
          throw new AppError("forbidden", "not yours", { messageKey: "agreement.not_yours" });
        }
        if (input.typedName !== byId(input.principal.replace(/^employee:/, ""))?.name) {
          throw new AppError("unprocessable", "name", { messageKey: "agreement.name_mismatch" });
        }
        return {
          title: "Confidentiality",
          version: 1,
          sha256: "cd".repeat(32),
          signedAt: "2026-03-02 10:00:00",
        };
      },
    },
    training: {
      async open(principal) {
        const id = principal.replace(/^employee:/, "");
        return (world.courses[id] ?? []).map((courseId) => ({
          courseId,
          title: courseId,
          dueDate: "2026-03-20",
        }));
      },
      async page({ courseId, from, to }) {
        calls.pages.push({ from, to });
        return {
          courseId,
          courseTitle: "Course",
          lessonTitle: "Lesson",
          page: to,
          pages: 3,
          markdown: `Page ${to}`,
        };
      },
      async startQuiz({ courseId }) {
        const paper = {
          attemptId: "00000000-0000-4000-8000-000000000001",
          courseId,
          submitted: false,
          answers: {} as Record<string, string[]>,
          questions: [
            {
              questionId: "q1",
              type: "true-false" as const,
              prompt: "One?",
              options: [
                { key: "A", text: "True" },
                { key: "B", text: "False" },
              ],
            },
            {
              questionId: "q2",
              type: "multiple" as const,
              prompt: "Two?",
              options: [
                { key: "A", text: "x" },
                { key: "B", text: "y" },
                { key: "C", text: "z" },
              ],
            },
          ],
        };
        const existing = papers.get(paper.attemptId);
        if (existing) return existing;
        papers.set(paper.attemptId, paper);
        return paper;
      },
      async paper({ attemptId }) {
        const found = papers.get(attemptId);
        if (!found) throw new AppError("not_found", "no attempt", { messageKey: "error.not_found" });
        return found;
      },
      async answer(input) {
        calls.answers.push({
          attemptId: input.attemptId,
          questionId: input.questionId,
          choices: input.choices,
        });
        const found = papers.get(input.attemptId);
        if (found) found.answers[input.questionId] = input.choices;
      },
      async submit({ attemptId }) {
        const found = papers.get(attemptId);
        if (found) found.submitted = true;
        return { courseId: found?.courseId ?? "", score: 100, passMark: 80, passed: true };
      },
    },
    channels: {
      async bind(input) {
        calls.bind.push(input);
        return { created: true };
      },
    },
    conversations: {
      async load(key) {
        return store.get(storeKey(key));
      },
      async save(key, state) {
        calls.saves.push({ key, state });
        store.set(storeKey(key), JSON.parse(JSON.stringify(state)));
      },
      async clear(key) {
        store.delete(storeKey(key));
      },
    },
  };
}
