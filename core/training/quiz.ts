import type { Locale } from "../messages/index.ts";
import {
  type CourseDefinition,
  correctOptions,
  localized,
  type Question,
  type QuestionType,
} from "./course.ts";
import { seededRandom, shuffled } from "./random.ts";

/**
 * The quiz engine. An attempt's paper is drawn from the pool with the attempt's seed: which
 * questions, in which order, and for each the order its options are shown in. People answer with
 * the letters they see (A, B, …), so the shown order says nothing about the order in the file.
 *
 * Multi-select scoring is all-or-nothing per question: a multiple-choice question counts only
 * when exactly the correct options are chosen. Partial credit would reward ticking everything
 * (or guessing half), while these questions test precisely which items are confidential and
 * which are not — knowing half of that is not knowing it.
 */
export type PaperQuestion = {
  questionId: string;
  /** For each shown position, the option's position in the course file. */
  optionOrder: number[];
};
export type Paper = PaperQuestion[];

/** Chosen letters per question id. */
export type Answers = Record<string, string[]>;

export const optionKeys = ["A", "B", "C", "D", "E", "F", "G", "H"] as const;

/** Draws an attempt's paper: `questionsPerAttempt` questions of the pool, options shuffled (true/false kept in order). */
export function drawPaper(
  course: Pick<CourseDefinition, "questions" | "questionsPerAttempt">,
  seed: number,
): Paper {
  const random = seededRandom(seed);
  const count = Math.min(course.questionsPerAttempt, course.questions.length);
  const drawn = shuffled(course.questions, random).slice(0, count);
  return drawn.map((question) => {
    const positions = question.options.map((_, index) => index);
    return {
      questionId: question.id,
      optionOrder: question.type === "true-false" ? positions : shuffled(positions, random),
    };
  });
}

export type ShownQuestion = {
  questionId: string;
  /** 1-based position in the paper. */
  number: number;
  type: QuestionType;
  prompt: string;
  options: { key: string; text: string }[];
};

export function questionOf(course: Pick<CourseDefinition, "questions">, questionId: string): Question {
  const question = course.questions.find((q) => q.id === questionId);
  if (!question) throw new RangeError(`the course has no question ${questionId}`);
  return question;
}

/** A question as the employee sees it, in their language, with letters in shown order. */
export function showQuestion(
  course: Pick<CourseDefinition, "questions">,
  entry: PaperQuestion,
  number: number,
  locale: Locale,
): ShownQuestion {
  const question = questionOf(course, entry.questionId);
  return {
    questionId: question.id,
    number,
    type: question.type,
    prompt: localized(question.prompt, locale),
    options: entry.optionOrder.map((original, shown) => ({
      key: optionKeys[shown] as string,
      text: localized((question.options[original] as Question["options"][number]).text, locale),
    })),
  };
}

export type AnswerProblem = "no_choice" | "one_choice_only" | "unknown_option";

/**
 * Checks chosen letters against a question of the paper: one letter for single choice and
 * true/false, at least one for multiple choice, each a letter shown. Returns them sorted and
 * without repeats, or what is wrong.
 */
export function normaliseChoice(
  question: Pick<Question, "type">,
  entry: PaperQuestion,
  keys: readonly string[],
): { ok: true; keys: string[] } | { ok: false; problem: AnswerProblem } {
  const shown = optionKeys.slice(0, entry.optionOrder.length) as readonly string[];
  const unique = [...new Set(keys.map((k) => k.trim().toUpperCase()))].sort();
  if (unique.length === 0) return { ok: false, problem: "no_choice" };
  if (unique.some((k) => !shown.includes(k))) return { ok: false, problem: "unknown_option" };
  if (question.type !== "multiple" && unique.length !== 1) return { ok: false, problem: "one_choice_only" };
  return { ok: true, keys: unique };
}

/** The file positions behind chosen letters. */
export function chosenOptions(entry: PaperQuestion, keys: readonly string[]): number[] {
  return keys
    .map((key) => entry.optionOrder[(optionKeys as readonly string[]).indexOf(key)])
    .filter((position): position is number => position !== undefined)
    .sort((a, b) => a - b);
}

/** All-or-nothing: exactly the correct options chosen (see the module comment). */
export function isCorrect(question: Question, entry: PaperQuestion, keys: readonly string[]): boolean {
  const chosen = chosenOptions(entry, [...new Set(keys)]);
  const correct = correctOptions(question);
  return chosen.length === correct.length && chosen.every((position, i) => position === correct[i]);
}

export type Score = {
  correct: number;
  total: number;
  /** Whole percent, rounded down (the pass decision itself is exact). */
  score: number;
  passed: boolean;
  results: { questionId: string; correct: boolean }[];
};

/** Scores a paper; an unanswered question counts as wrong. Passing is `correct / total ≥ passMark %`. */
export function scorePaper(
  course: Pick<CourseDefinition, "questions" | "passMark">,
  paper: Paper,
  answers: Answers,
): Score {
  const results = paper.map((entry) => {
    const keys = answers[entry.questionId];
    return {
      questionId: entry.questionId,
      correct: keys !== undefined && isCorrect(questionOf(course, entry.questionId), entry, keys),
    };
  });
  const correct = results.filter((r) => r.correct).length;
  const total = paper.length;
  return {
    correct,
    total,
    score: total === 0 ? 0 : Math.floor((correct * 100) / total),
    // Exact in integers: 8 of 10 passes a mark of 80, 9 of 12 (75 %) does not.
    passed: total > 0 && correct * 100 >= course.passMark * total,
    results,
  };
}

/** Question ids of the paper that have no answer yet, in paper order. */
export function unanswered(paper: Paper, answers: Answers): string[] {
  return paper.filter((entry) => !answers[entry.questionId]?.length).map((entry) => entry.questionId);
}
