import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Question } from "./course.ts";
import { correctOptions } from "./course.ts";
import {
  type Answers,
  drawPaper,
  isCorrect,
  normaliseChoice,
  optionKeys,
  type PaperQuestion,
  scorePaper,
} from "./quiz.ts";
import { maxSeed, seededRandom, shuffled } from "./random.ts";

const text = (s: string) => ({ "zh-CN": s, en: s });

const questionArb: fc.Arbitrary<Question> = fc
  .record({
    type: fc.constantFrom("single", "multiple", "true-false"),
    count: fc.integer({ min: 2, max: 8 }),
    correct: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    pick: fc.nat(),
  })
  .map(({ type, count, correct, pick }) => {
    const n = type === "true-false" ? 2 : count;
    let flags = correct.slice(0, n);
    if (type !== "multiple") flags = flags.map((_, i) => i === pick % n);
    else if (!flags.some(Boolean)) flags[pick % n] = true;
    return {
      id: "",
      type,
      prompt: text("?"),
      options: flags.map((flag, i) => ({ text: text(`option ${i}`), correct: flag })),
    } as Question;
  });

const poolArb = fc
  .array(questionArb, { minLength: 1, maxLength: 30 })
  .map((qs) => qs.map((q, i) => ({ ...q, id: `q${i}` })));

const seedArb = fc.integer({ min: 0, max: maxSeed });

/** The letters showing exactly the correct options of a question on a paper. */
function correctLetters(question: Question, entry: PaperQuestion): string[] {
  const correct = new Set(correctOptions(question));
  return entry.optionOrder.flatMap((original, shown) =>
    correct.has(original) ? [optionKeys[shown] as string] : [],
  );
}

function byId(pool: Question[], id: string): Question {
  return pool.find((q) => q.id === id) as Question;
}

describe("drawing a paper", () => {
  it("is the same for the same seed, and draws distinct questions of the pool", () => {
    fc.assert(
      fc.property(poolArb, fc.integer({ min: 1, max: 40 }), seedArb, (questions, perAttempt, seed) => {
        const course = { questions, questionsPerAttempt: perAttempt };
        const paper = drawPaper(course, seed);
        expect(drawPaper(course, seed)).toEqual(paper);
        expect(paper).toHaveLength(Math.min(perAttempt, questions.length));
        const ids = paper.map((p) => p.questionId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) expect(questions.some((q) => q.id === id)).toBe(true);
      }),
    );
  });

  it("shows every option exactly once; true/false keeps its order", () => {
    fc.assert(
      fc.property(poolArb, seedArb, (questions, seed) => {
        for (const entry of drawPaper({ questions, questionsPerAttempt: questions.length }, seed)) {
          const question = byId(questions, entry.questionId);
          const positions = question.options.map((_, i) => i);
          expect([...entry.optionOrder].sort((a, b) => a - b)).toEqual(positions);
          if (question.type === "true-false") expect(entry.optionOrder).toEqual([0, 1]);
        }
      }),
    );
  });

  it("actually shuffles: across seeds, option orders and question orders vary", () => {
    const questions = Array.from({ length: 10 }, (_, i) => ({
      id: `q${i}`,
      type: "single" as const,
      prompt: text("?"),
      options: [0, 1, 2, 3].map((j) => ({ text: text(`${j}`), correct: j === 0 })),
    }));
    const papers = Array.from({ length: 50 }, (_, seed) =>
      drawPaper({ questions, questionsPerAttempt: 5 }, seed),
    );
    const firstShown = new Set(papers.map((p) => p[0]?.optionOrder[0]));
    const firstQuestion = new Set(papers.map((p) => p[0]?.questionId));
    expect(firstShown.size).toBe(4);
    expect(firstQuestion.size).toBeGreaterThan(5);
  });

  it("the PRNG is deterministic, in [0, 1), and shuffles without losing items", () => {
    fc.assert(
      fc.property(seedArb, fc.array(fc.integer()), (seed, items) => {
        const a = seededRandom(seed);
        const b = seededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = a();
          expect(x).toBe(b());
          expect(x >= 0 && x < 1).toBe(true);
        }
        const out = shuffled(items, seededRandom(seed));
        expect([...out].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
    );
  });
});

describe("scoring", () => {
  it("the correct letters score full marks and pass, whatever the shuffle", () => {
    fc.assert(
      fc.property(poolArb, seedArb, fc.integer({ min: 1, max: 100 }), (questions, seed, passMark) => {
        const paper = drawPaper({ questions, questionsPerAttempt: questions.length }, seed);
        const answers: Answers = {};
        for (const entry of paper)
          answers[entry.questionId] = correctLetters(byId(questions, entry.questionId), entry);
        const score = scorePaper({ questions, passMark }, paper, answers);
        expect(score).toMatchObject({ correct: paper.length, total: paper.length, score: 100, passed: true });
      }),
    );
  });

  it("multiple choice is all-or-nothing: one option more or one fewer scores nothing", () => {
    fc.assert(
      fc.property(questionArb, seedArb, fc.nat(), (raw, seed, pick) => {
        fc.pre(raw.type === "multiple");
        const question = { ...raw, id: "m" };
        const [entry] = drawPaper({ questions: [question], questionsPerAttempt: 1 }, seed);
        if (!entry) throw new Error("no paper");
        const right = correctLetters(question, entry);
        const shown = optionKeys.slice(0, entry.optionOrder.length);
        const wrong = shown.filter((k) => !right.includes(k));
        expect(isCorrect(question, entry, right)).toBe(true);
        if (wrong.length)
          expect(isCorrect(question, entry, [...right, wrong[pick % wrong.length] as string])).toBe(false);
        if (right.length > 1) expect(isCorrect(question, entry, right.slice(1))).toBe(false);
      }),
    );
  });

  it("passes exactly when correct / total reaches the pass mark; the score is the floor percentage", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.nat(),
        fc.integer({ min: 1, max: 100 }),
        (total, rightSeed, passMark) => {
          const right = rightSeed % (total + 1);
          const questions = Array.from({ length: total }, (_, i) => ({
            id: `q${i}`,
            type: "true-false" as const,
            prompt: text("?"),
            options: [
              { text: text("T"), correct: true },
              { text: text("F"), correct: false },
            ],
          }));
          const paper = drawPaper({ questions, questionsPerAttempt: total }, 1);
          const answers: Answers = {};
          paper.forEach((entry, i) => {
            answers[entry.questionId] = [i < right ? "A" : "B"];
          });
          const score = scorePaper({ questions, passMark }, paper, answers);
          expect(score.correct).toBe(right);
          expect(score.score).toBe(Math.floor((right * 100) / total));
          expect(score.passed).toBe(right >= Math.ceil((passMark * total) / 100));
        },
      ),
    );
  });

  it("counts unanswered questions as wrong", () => {
    const questions = [
      {
        id: "a",
        type: "true-false" as const,
        prompt: text("?"),
        options: [
          { text: text("T"), correct: true },
          { text: text("F"), correct: false },
        ],
      },
      {
        id: "b",
        type: "true-false" as const,
        prompt: text("?"),
        options: [
          { text: text("T"), correct: true },
          { text: text("F"), correct: false },
        ],
      },
    ];
    const paper = drawPaper({ questions, questionsPerAttempt: 2 }, 7);
    expect(scorePaper({ questions, passMark: 50 }, paper, { a: ["A"] })).toMatchObject({
      correct: 1,
      score: 50,
      passed: true,
    });
    expect(scorePaper({ questions, passMark: 80 }, paper, { a: ["A"] })).toMatchObject({ passed: false });
  });
});

describe("checking a choice", () => {
  const entry: PaperQuestion = { questionId: "q", optionOrder: [2, 0, 1] };
  it("needs one letter for single choice and true/false, one or more for multiple choice", () => {
    expect(normaliseChoice({ type: "single" }, entry, ["b"])).toEqual({ ok: true, keys: ["B"] });
    expect(normaliseChoice({ type: "single" }, entry, ["A", "B"])).toEqual({
      ok: false,
      problem: "one_choice_only",
    });
    expect(normaliseChoice({ type: "multiple" }, entry, ["C", "A", "A"])).toEqual({
      ok: true,
      keys: ["A", "C"],
    });
    expect(normaliseChoice({ type: "multiple" }, entry, [])).toEqual({ ok: false, problem: "no_choice" });
    expect(normaliseChoice({ type: "multiple" }, entry, ["D"])).toEqual({
      ok: false,
      problem: "unknown_option",
    });
  });
});
