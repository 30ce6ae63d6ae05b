/**
 * Conversation state the bot keeps between messages: the notice form and quiz progress. Pure state
 * machines (no I/O, no clock: the date arrives in the event), plain JSON so a storage layer can keep
 * them in the database. A transition either answers the next state or rejects the input with a
 * catalogue key and leaves the state as it was — a stale card, a double click or an answer to the
 * wrong question never moves a conversation.
 */

import { z } from "zod";
import { addDays, compareDates, type IsoDate, isIsoDate } from "../core/compliance/dates.ts";
import { legalLastDay } from "../core/compliance/legal-clock.ts";
import type { MessageKey } from "../core/messages/index.ts";
import { maxDaysToLastDay } from "../core/offboarding/separation.ts";

export type ChatType = "direct" | "group";

/** The notice is accepted only in a 1:1 chat (DESIGN §6). */
export function mayGiveNotice({ chatType }: { chatType: ChatType }): boolean {
  return chatType === "direct";
}

/** Why {@link mayGiveNotice} said no, for the refusal card. */
export const noticeRefusalKey: MessageKey = "bot.notice.direct_chat_only";

export type Rejection = { code: string; key: MessageKey; params: Record<string, string> };
export type Transition<S> = { ok: true; state: S } | { ok: false; rejection: Rejection };

function reject<S>(code: string, key: MessageKey, params: Record<string, string> = {}): Transition<S> {
  return { ok: false, rejection: { code, key, params } };
}

// ---------------------------------------------------------------------------------------------
// The notice form: collecting → confirming → submitted (or cancelled before it is submitted).

export const noticeSteps = ["collecting", "confirming", "submitted", "cancelled"] as const;
export type NoticeStep = (typeof noticeSteps)[number];

export type NoticeForm = {
  kind: "notice";
  step: NoticeStep;
  probation: boolean;
  /** The day the form was opened (in the employee's time zone). */
  openedOn: IsoDate;
  /** The notice date: the opening day until submitted, then the day the notice arrived. */
  noticeDate: IsoDate;
  /** Notice date + 30 days (3 in probation). */
  legalLastDay: IsoDate;
  /** The last day the employee writes; none means the legal last day. */
  requestedLastDay: IsoDate | null;
  /** The requested day is before the legal one and the employee asks for it by agreement. */
  earlierByAgreement: boolean;
};

export type NoticeEvent =
  | { type: "setLastDay"; date: string | null; byAgreement?: boolean }
  | { type: "review" }
  | { type: "edit" }
  | { type: "confirm"; on: string }
  | { type: "cancel" };

export function openNoticeForm(input: { today: IsoDate; probation: boolean }): NoticeForm {
  if (!isIsoDate(input.today)) throw new RangeError(`Not a date: ${input.today}`);
  return {
    kind: "notice",
    step: "collecting",
    probation: input.probation,
    openedOn: input.today,
    noticeDate: input.today,
    legalLastDay: legalLastDay(input.today, input.probation),
    requestedLastDay: null,
    earlierByAgreement: false,
  };
}

/** Why `day` cannot be the requested last day against `noticeDate`, or undefined when it can. */
function lastDayProblem(
  day: IsoDate,
  byAgreement: boolean,
  noticeDate: IsoDate,
  legal: IsoDate,
): Rejection | undefined {
  if (compareDates(day, noticeDate) < 0) {
    return { code: "day_before_notice", key: "bot.notice.day_before_notice", params: { day, noticeDate } };
  }
  if (compareDates(day, addDays(noticeDate, maxDaysToLastDay)) > 0) {
    return { code: "day_too_late", key: "bot.notice.day_too_late", params: { day, noticeDate } };
  }
  if (compareDates(day, legal) < 0 && !byAgreement) {
    return {
      code: "day_before_legal",
      key: "bot.notice.day_before_legal",
      params: { day, legalLastDay: legal },
    };
  }
  return undefined;
}

function outOfOrder<S>(step: string): Transition<S> {
  return reject("out_of_order", "bot.conversation.out_of_order", { step });
}

export function noticeTransition(form: NoticeForm, event: NoticeEvent): Transition<NoticeForm> {
  switch (event.type) {
    case "setLastDay": {
      if (form.step !== "collecting") return outOfOrder(form.step);
      if (event.date === null)
        return { ok: true, state: { ...form, requestedLastDay: null, earlierByAgreement: false } };
      if (!isIsoDate(event.date)) return reject("not_a_date", "bot.notice.not_a_date", { value: event.date });
      const day = event.date;
      const problem = lastDayProblem(day, event.byAgreement === true, form.noticeDate, form.legalLastDay);
      if (problem) return { ok: false, rejection: problem };
      const earlier = compareDates(day, form.legalLastDay) < 0;
      return { ok: true, state: { ...form, requestedLastDay: day, earlierByAgreement: earlier } };
    }
    case "review":
      if (form.step !== "collecting") return outOfOrder(form.step);
      return { ok: true, state: { ...form, step: "confirming" } };
    case "edit":
      if (form.step !== "confirming") return outOfOrder(form.step);
      return { ok: true, state: { ...form, step: "collecting" } };
    case "cancel":
      if (form.step !== "collecting" && form.step !== "confirming") return outOfOrder(form.step);
      return { ok: true, state: { ...form, step: "cancelled" } };
    case "confirm": {
      if (form.step !== "confirming") return outOfOrder(form.step);
      if (!isIsoDate(event.on)) return reject("not_a_date", "bot.notice.not_a_date", { value: event.on });
      if (compareDates(event.on, form.openedOn) < 0) return outOfOrder(form.step);
      // The notice arrives now: the legal last day counts from today, not from when the form opened.
      const noticeDate = event.on;
      const legal = legalLastDay(noticeDate, form.probation);
      if (form.requestedLastDay !== null) {
        const problem = lastDayProblem(form.requestedLastDay, form.earlierByAgreement, noticeDate, legal);
        if (problem) return { ok: false, rejection: problem };
      }
      const earlier = form.requestedLastDay !== null && compareDates(form.requestedLastDay, legal) < 0;
      return {
        ok: true,
        state: { ...form, step: "submitted", noticeDate, legalLastDay: legal, earlierByAgreement: earlier },
      };
    }
  }
}

/** The last day the submitted notice names: the requested day, or the legal one. */
export function noticeLastDay(form: NoticeForm): IsoDate {
  return form.requestedLastDay ?? form.legalLastDay;
}

// ---------------------------------------------------------------------------------------------
// Quiz progress: answer the questions in order, one answer each, until finished (or abandoned).

export type QuizQuestion = { id: string; optionIds: string[]; multiple: boolean };
export type QuizAnswer = { questionId: string; choices: string[] };

export type QuizProgress = {
  kind: "quiz";
  attemptId: string;
  status: "answering" | "finished" | "abandoned";
  questions: QuizQuestion[];
  /** The question being asked; equals the number of answers given. */
  index: number;
  answers: QuizAnswer[];
};

export type QuizEvent = { type: "answer"; questionId: string; choices: string[] } | { type: "abandon" };

export function startQuiz(input: { attemptId: string; questions: QuizQuestion[] }): QuizProgress {
  const state: QuizProgress = {
    kind: "quiz",
    attemptId: input.attemptId,
    status: input.questions.length === 0 ? "finished" : "answering",
    questions: input.questions.map((q) => ({ id: q.id, optionIds: [...q.optionIds], multiple: q.multiple })),
    index: 0,
    answers: [],
  };
  const problem = quizProblem(state);
  if (problem) throw new RangeError(`Not a valid quiz: ${problem}`);
  return state;
}

export function quizTransition(quiz: QuizProgress, event: QuizEvent): Transition<QuizProgress> {
  if (quiz.status !== "answering") return outOfOrder(quiz.status);
  if (event.type === "abandon") return { ok: true, state: { ...quiz, status: "abandoned" } };
  const total = quiz.questions.length;
  const question = quiz.questions[quiz.index];
  if (!question || event.questionId !== question.id) {
    return reject("wrong_question", "bot.quiz.wrong_question", {
      number: String(quiz.index + 1),
      total: String(total),
    });
  }
  const choices = [...new Set(event.choices)];
  if (
    choices.length === 0 ||
    choices.length !== event.choices.length ||
    (!question.multiple && choices.length > 1) ||
    !choices.every((choice) => question.optionIds.includes(choice))
  ) {
    return reject("bad_choice", "bot.quiz.bad_choice");
  }
  const index = quiz.index + 1;
  return {
    ok: true,
    state: {
      ...quiz,
      index,
      answers: [...quiz.answers, { questionId: question.id, choices }],
      status: index === total ? "finished" : "answering",
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Invariants and JSON.

export type Conversation = NoticeForm | QuizProgress;

/** What is wrong with a notice form, or undefined when it is a state the machine can reach. */
export function noticeProblem(form: NoticeForm): string | undefined {
  const dates = [form.openedOn, form.noticeDate, form.legalLastDay];
  if (!dates.every(isIsoDate)) return "dates";
  if (compareDates(form.noticeDate, form.openedOn) < 0) return "notice before opening";
  if (form.legalLastDay !== legalLastDay(form.noticeDate, form.probation)) return "legal last day";
  if (form.step !== "submitted" && form.noticeDate !== form.openedOn) return "notice date before submission";
  if (form.requestedLastDay === null) return form.earlierByAgreement ? "agreement without a day" : undefined;
  if (!isIsoDate(form.requestedLastDay)) return "requested day";
  if (compareDates(form.requestedLastDay, form.noticeDate) < 0) return "requested day before notice";
  const earlier = compareDates(form.requestedLastDay, form.legalLastDay) < 0;
  if (earlier !== form.earlierByAgreement) return "earlier day without agreement";
  return undefined;
}

/** What is wrong with quiz progress, or undefined when it is a state the machine can reach. */
export function quizProblem(quiz: QuizProgress): string | undefined {
  const ids = quiz.questions.map((q) => q.id);
  if (new Set(ids).size !== ids.length) return "duplicate question";
  for (const q of quiz.questions) {
    if (q.optionIds.length === 0 || new Set(q.optionIds).size !== q.optionIds.length) return "options";
  }
  if (quiz.index !== quiz.answers.length || quiz.index > quiz.questions.length) return "index";
  for (const [i, answer] of quiz.answers.entries()) {
    const question = quiz.questions[i]!;
    if (answer.questionId !== question.id) return "answer order";
    if (answer.choices.length === 0 || (!question.multiple && answer.choices.length > 1)) return "choices";
    if (new Set(answer.choices).size !== answer.choices.length) return "choices";
    if (!answer.choices.every((c) => question.optionIds.includes(c))) return "choices";
  }
  const complete = quiz.index === quiz.questions.length;
  if (quiz.status === "finished" && !complete) return "finished early";
  if (quiz.status === "answering" && complete) return "nothing left to answer";
  return undefined;
}

const isoDate = z.string().refine(isIsoDate);
const id = z.string().min(1).max(128);

const noticeSchema = z.strictObject({
  kind: z.literal("notice"),
  step: z.enum(noticeSteps),
  probation: z.boolean(),
  openedOn: isoDate,
  noticeDate: isoDate,
  legalLastDay: isoDate,
  requestedLastDay: isoDate.nullable(),
  earlierByAgreement: z.boolean(),
});

const quizSchema = z.strictObject({
  kind: z.literal("quiz"),
  attemptId: id,
  status: z.enum(["answering", "finished", "abandoned"]),
  questions: z.array(z.strictObject({ id, optionIds: z.array(id).max(50), multiple: z.boolean() })).max(500),
  index: z.number().int().min(0),
  answers: z.array(z.strictObject({ questionId: id, choices: z.array(id).max(50) })).max(500),
});

const conversationSchema = z.discriminatedUnion("kind", [noticeSchema, quizSchema]);

export function serializeConversation(state: Conversation): string {
  return JSON.stringify(state);
}

/** A stored conversation back, or undefined when it is malformed or a state no transition reaches. */
export function parseConversation(json: string | unknown): Conversation | undefined {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch {
      return undefined;
    }
  }
  const parsed = conversationSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const state = parsed.data as Conversation;
  const problem = state.kind === "notice" ? noticeProblem(state) : quizProblem(state);
  return problem ? undefined : state;
}
