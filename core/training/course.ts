import type { Locale } from "../messages/index.ts";

/** A text in both catalogue languages. Course files write the keys `zh` and `en`. */
export type Localized = Record<Locale, string>;

export const questionTypes = ["single", "multiple", "true-false"] as const;
export type QuestionType = (typeof questionTypes)[number];

export type QuestionOption = { text: Localized; correct: boolean };

/**
 * A question of the pool. Options are identified by their position in the file (0-based); a
 * true/false question has the two options "true" and "false", in that order.
 */
export type Question = {
  id: string;
  type: QuestionType;
  prompt: Localized;
  options: QuestionOption[];
  explanation?: Localized;
};

/** A lesson: a title and pages short enough for a chat card, the same number in both languages. */
export type Lesson = {
  /** The file name without language and extension, e.g. `01-what-is-a-trade-secret`. */
  key: string;
  title: Localized;
  pages: Record<Locale, string[]>;
};

/** A course as imported: its settings, lessons and question pool. */
export type CourseDefinition = {
  id: string;
  title: Localized;
  summary?: Localized;
  /** Employees with one of these roles are assigned the course. */
  roles: string[];
  /** A certificate is valid for this many months (Civil Code Art. 202 month arithmetic). */
  validityMonths: number;
  /** Percentage of questions answered correctly needed to pass. */
  passMark: number;
  /** Attempts allowed per assignment. */
  attemptLimit: number;
  /** Minutes to wait after a failed attempt before the next one. */
  coolDownMinutes: number;
  /** Questions drawn from the pool for each attempt. */
  questionsPerAttempt: number;
  /** Days an employee has to finish after being assigned. */
  dueDays: number;
  lessons: Lesson[];
  questions: Question[];
};

export const courseLimits = {
  idPattern: /^[a-z0-9][a-z0-9-]{1,62}$/,
  rolePattern: /^[a-z][a-z0-9_-]{0,39}$/,
  questionIdPattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/,
  lessonKeyPattern: /^[0-9]{2}[a-z0-9-]{0,60}$/,
  /** A page must fit a chat card (Slack sections take 3,000 characters, other cards less). */
  maxPageCharacters: 1200,
  maxPagesPerLesson: 12,
  maxLessons: 30,
  maxQuestions: 300,
  minOptions: 2,
  maxOptions: 8,
  maxTitleCharacters: 200,
  maxPromptCharacters: 1000,
} as const;

/** A course's title in a language, falling back to the other one. */
export function localized(text: Localized, locale: Locale): string {
  return text[locale] || text.en || text["zh-CN"];
}

/** Which option positions are correct. */
export function correctOptions(question: Question): number[] {
  return question.options.flatMap((option, index) => (option.correct ? [index] : []));
}
