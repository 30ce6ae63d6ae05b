import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays } from "../core/compliance/dates.ts";
import { translate } from "../core/messages/index.ts";
import {
  mayGiveNotice,
  type NoticeEvent,
  type NoticeForm,
  noticeLastDay,
  noticeProblem,
  noticeRefusalKey,
  noticeTransition,
  openNoticeForm,
  parseConversation,
  type QuizEvent,
  type QuizProgress,
  quizProblem,
  quizTransition,
  serializeConversation,
  startQuiz,
  type Transition,
} from "./conversation.ts";

function apply<S>(state: S, events: readonly unknown[], step: (s: S, e: never) => Transition<S>): S {
  let current = state;
  for (const event of events) {
    const next = step(current, event as never);
    if (!next.ok) throw new Error(`${next.rejection.code}`);
    current = next.state;
  }
  return current;
}

describe("mayGiveNotice", () => {
  it("accepts the notice only in a 1:1 chat", () => {
    expect(mayGiveNotice({ chatType: "direct" })).toBe(true);
    expect(mayGiveNotice({ chatType: "group" })).toBe(false);
    expect(translate("zh-CN", noticeRefusalKey)).toContain("单聊");
  });
});

describe("notice form", () => {
  const open = () => openNoticeForm({ today: "2026-11-02", probation: false });

  it("opens with the legal last day 30 days on (3 in probation)", () => {
    expect(open()).toMatchObject({ step: "collecting", legalLastDay: "2026-12-02", requestedLastDay: null });
    expect(openNoticeForm({ today: "2026-11-02", probation: true }).legalLastDay).toBe("2026-11-05");
  });

  it("submits with the legal last day when none is requested, counted from the day it arrives", () => {
    const form = apply(open(), [{ type: "review" }, { type: "confirm", on: "2026-11-03" }], noticeTransition);
    expect(form).toMatchObject({ step: "submitted", noticeDate: "2026-11-03", legalLastDay: "2026-12-03" });
    expect(noticeLastDay(form)).toBe("2026-12-03");
  });

  it("takes a later requested day", () => {
    const form = apply(
      open(),
      [{ type: "setLastDay", date: "2026-12-31" }, { type: "review" }, { type: "confirm", on: "2026-11-02" }],
      noticeTransition,
    );
    expect(noticeLastDay(form)).toBe("2026-12-31");
    expect(form.earlierByAgreement).toBe(false);
  });

  it("refuses an earlier day unless the employee asks for it by agreement", () => {
    const refused = noticeTransition(open(), { type: "setLastDay", date: "2026-11-20" });
    expect(refused).toMatchObject({ ok: false, rejection: { code: "day_before_legal" } });
    const agreed = noticeTransition(open(), { type: "setLastDay", date: "2026-11-20", byAgreement: true });
    expect(agreed).toMatchObject({
      ok: true,
      state: { requestedLastDay: "2026-11-20", earlierByAgreement: true },
    });
  });

  it("refuses days before the notice, too far away, or not dates", () => {
    const on = (date: string) => noticeTransition(open(), { type: "setLastDay", date, byAgreement: true });
    expect(on("2026-11-01")).toMatchObject({ ok: false, rejection: { code: "day_before_notice" } });
    expect(on("2029-01-01")).toMatchObject({ ok: false, rejection: { code: "day_too_late" } });
    expect(on("2026-02-30")).toMatchObject({ ok: false, rejection: { code: "not_a_date" } });
  });

  it("refuses at confirmation a day the legal clock has passed meanwhile", () => {
    const form = apply(
      open(),
      [{ type: "setLastDay", date: "2026-12-02" }, { type: "review" }],
      noticeTransition,
    );
    const late = noticeTransition(form, { type: "confirm", on: "2026-11-05" });
    expect(late).toMatchObject({
      ok: false,
      rejection: { code: "day_before_legal", params: { legalLastDay: "2026-12-05" } },
    });
  });

  it("rejects out-of-order input and leaves the state alone", () => {
    const form = open();
    expect(noticeTransition(form, { type: "confirm", on: "2026-11-02" })).toMatchObject({
      ok: false,
      rejection: { code: "out_of_order", params: { step: "collecting" } },
    });
    const submitted = apply(
      form,
      [{ type: "review" }, { type: "confirm", on: "2026-11-02" }],
      noticeTransition,
    );
    for (const event of [
      { type: "confirm", on: "2026-11-02" },
      { type: "cancel" },
      { type: "edit" },
      { type: "setLastDay", date: null },
    ] as NoticeEvent[]) {
      expect(noticeTransition(submitted, event).ok).toBe(false);
    }
    const confirming = apply(form, [{ type: "review" }], noticeTransition);
    expect(noticeTransition(confirming, { type: "confirm", on: "2026-11-01" }).ok).toBe(false);
  });

  it("goes back to editing and can be cancelled before it is submitted", () => {
    const form = apply(open(), [{ type: "review" }, { type: "edit" }, { type: "cancel" }], noticeTransition);
    expect(form.step).toBe("cancelled");
  });
});

describe("quiz progress", () => {
  const questions = [
    { id: "q1", optionIds: ["a", "b"], multiple: false },
    { id: "q2", optionIds: ["a", "b", "c"], multiple: true },
  ];

  it("takes the answers in order and finishes", () => {
    const quiz = apply(
      startQuiz({ attemptId: "att-1", questions }),
      [
        { type: "answer", questionId: "q1", choices: ["b"] },
        { type: "answer", questionId: "q2", choices: ["a", "c"] },
      ],
      quizTransition,
    );
    expect(quiz).toMatchObject({ status: "finished", index: 2 });
    expect(quiz.answers.map((a) => a.choices)).toEqual([["b"], ["a", "c"]]);
  });

  it("rejects answers to another question, double clicks and bad choices", () => {
    const quiz = startQuiz({ attemptId: "att-1", questions });
    expect(quizTransition(quiz, { type: "answer", questionId: "q2", choices: ["a"] })).toMatchObject({
      ok: false,
      rejection: { code: "wrong_question", params: { number: "1", total: "2" } },
    });
    const after = apply(quiz, [{ type: "answer", questionId: "q1", choices: ["a"] }], quizTransition);
    expect(quizTransition(after, { type: "answer", questionId: "q1", choices: ["a"] }).ok).toBe(false);
    expect(quizTransition(quiz, { type: "answer", questionId: "q1", choices: ["a", "b"] }).ok).toBe(false);
    expect(quizTransition(quiz, { type: "answer", questionId: "q1", choices: [] }).ok).toBe(false);
    expect(quizTransition(quiz, { type: "answer", questionId: "q1", choices: ["z"] }).ok).toBe(false);
    expect(quizTransition(after, { type: "answer", questionId: "q2", choices: ["a", "a"] }).ok).toBe(false);
  });

  it("is closed after it is abandoned or finished", () => {
    const quiz = apply(startQuiz({ attemptId: "att-1", questions }), [{ type: "abandon" }], quizTransition);
    expect(quizTransition(quiz, { type: "abandon" })).toMatchObject({
      ok: false,
      rejection: { code: "out_of_order" },
    });
    expect(() => startQuiz({ attemptId: "x", questions: [questions[0]!, questions[0]!] })).toThrow(
      RangeError,
    );
  });
});

describe("serialisation", () => {
  it("round-trips through JSON and refuses malformed or unreachable states", () => {
    const form = openNoticeForm({ today: "2026-11-02", probation: false });
    expect(parseConversation(serializeConversation(form))).toEqual(form);
    expect(parseConversation(JSON.parse(serializeConversation(form)))).toEqual(form);
    expect(parseConversation("{not json")).toBeUndefined();
    expect(parseConversation({ ...form, legalLastDay: "2026-11-05" })).toBeUndefined();
    expect(parseConversation({ ...form, requestedLastDay: "2026-11-10" })).toBeUndefined();
    expect(parseConversation({ ...form, extra: 1 })).toBeUndefined();
    const quiz = startQuiz({ attemptId: "a", questions: [{ id: "q", optionIds: ["x"], multiple: false }] });
    expect(parseConversation(serializeConversation(quiz))).toEqual(quiz);
    expect(parseConversation({ ...quiz, index: 1 })).toBeUndefined();
    expect(parseConversation({ ...quiz, status: "finished" })).toBeUndefined();
  });
});

// --- properties: random event sequences never reach an invalid state -----------------------------

const day = (offset: number) => addDays("2026-11-02", offset);
const noticeEvent: fc.Arbitrary<NoticeEvent> = fc.oneof(
  fc.record({
    type: fc.constant("setLastDay" as const),
    date: fc.oneof(
      fc.constant(null),
      fc.integer({ min: -5, max: 800 }).map(day),
      fc.constantFrom("2026-02-30", "soon", ""),
    ),
    byAgreement: fc.boolean(),
  }),
  fc.constant({ type: "review" as const }),
  fc.constant({ type: "edit" as const }),
  fc.constant({ type: "cancel" as const }),
  fc.record({ type: fc.constant("confirm" as const), on: fc.integer({ min: -2, max: 40 }).map(day) }),
);

describe("state machine properties", () => {
  it("the notice form never reaches an invalid state and a rejection changes nothing", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(noticeEvent, { maxLength: 25 }), (probation, events) => {
        let form: NoticeForm = openNoticeForm({ today: day(0), probation });
        for (const event of events) {
          const before = serializeConversation(form);
          const next = noticeTransition(form, event);
          if (next.ok) form = next.state;
          else expect(serializeConversation(form)).toBe(before);
          expect(noticeProblem(form)).toBeUndefined();
          expect(parseConversation(serializeConversation(form))).toEqual(form);
          if (form.step === "submitted" && noticeLastDay(form) < form.legalLastDay) {
            expect(form.earlierByAgreement).toBe(true);
          }
        }
      }),
    );
  });

  it("quiz progress never reaches an invalid state from random answers", () => {
    const questionsArb = fc
      .uniqueArray(fc.constantFrom("q1", "q2", "q3", "q4", "q5"), { maxLength: 5 })
      .chain((ids) =>
        fc.tuple(
          ...ids.map((id) =>
            fc.record({
              id: fc.constant(id),
              optionIds: fc.uniqueArray(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 4 }),
              multiple: fc.boolean(),
            }),
          ),
        ),
      );
    const event: fc.Arbitrary<QuizEvent> = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          type: fc.constant("answer" as const),
          questionId: fc.constantFrom("q1", "q2", "q3", "q4", "q5", "zz"),
          choices: fc.array(fc.constantFrom("a", "b", "c", "d", "e"), { maxLength: 3 }),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ type: "abandon" as const }) },
    );
    fc.assert(
      fc.property(questionsArb, fc.array(event, { maxLength: 40 }), (questions, events) => {
        let quiz: QuizProgress = startQuiz({ attemptId: "att", questions });
        for (const e of events) {
          const before = serializeConversation(quiz);
          const next = quizTransition(quiz, e);
          if (next.ok) quiz = next.state;
          else expect(serializeConversation(quiz)).toBe(before);
          expect(quizProblem(quiz)).toBeUndefined();
          expect(parseConversation(serializeConversation(quiz))).toEqual(quiz);
        }
      }),
    );
  });
});
