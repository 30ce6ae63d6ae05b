import {
  Actions,
  Button,
  Card,
  type CardNode,
  ChoiceInput,
  Fields,
  LinkButton,
  Markdown,
  type Option,
  Submit,
  Text,
} from "../model.ts";
import { type CardContext, field } from "./context.ts";

export type LessonPageData = {
  courseId: string;
  lessonId: string;
  courseTitle: string;
  lessonTitle: string;
  /** 1-based. */
  page: number;
  pages: number;
  /** The page's Markdown, written by the course author. */
  markdown: string;
};

/** One page of a lesson, with previous/next and the quiz on the last page. */
export function lessonPage(data: LessonPageData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const go = (page: number) => `${data.courseId}:${data.lessonId}:${page}`;
  const buttons = [
    data.page > 1 && Button(t(locale, "card.lesson.previous"), "lesson.page", { value: go(data.page - 1) }),
    data.page < data.pages
      ? Button(t(locale, "card.lesson.next"), "lesson.page", { value: go(data.page + 1), style: "primary" })
      : Button(t(locale, "card.lesson.quiz"), "quiz.start", { value: data.courseId, style: "primary" }),
  ].filter((b) => b !== false);
  return Card(
    {
      title: t(locale, "card.lesson.title", { course: data.courseTitle, lesson: data.lessonTitle }),
      subtitle: t(locale, "card.lesson.page", { page: data.page, pages: data.pages }),
      tone: "info",
    },
    [Markdown(data.markdown), Actions(buttons)],
  );
}

export type QuizQuestionData = {
  attemptId: string;
  /** 1-based. */
  index: number;
  total: number;
  question: string;
  options: Option[];
  multiple: boolean;
};

/** One quiz question with its (already shuffled) options. */
export function quizQuestion(data: QuizQuestionData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card(
    { title: t(locale, "card.quiz.title", { index: data.index, total: data.total }), tone: "info" },
    [
      Text(data.question),
      ChoiceInput(
        "answer",
        t(locale, data.multiple ? "card.quiz.choose_many" : "card.quiz.choose_one"),
        data.options,
        { multiple: data.multiple, required: true },
      ),
      Submit(t(locale, "card.quiz.answer"), "quiz.answer", { value: `${data.attemptId}:${data.index}` }),
    ],
  );
}

export type QuizResultData = {
  courseId: string;
  score: number;
  passMark: number;
  passed: boolean;
  attemptsLeft?: number;
  retryAfter?: string;
  certificateUrl?: string;
};

/** The score, pass or fail, and what comes next. */
export function quizResult(data: QuizResultData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const canRetry = !data.passed && (data.attemptsLeft === undefined || data.attemptsLeft > 0);
  return Card(
    {
      title: t(locale, data.passed ? "card.quiz_result.passed_title" : "card.quiz_result.failed_title", {
        score: data.score,
      }),
      tone: data.passed ? "success" : "warning",
    },
    [
      Text(
        data.passed
          ? t(locale, "card.quiz_result.passed_body")
          : t(locale, "card.quiz_result.failed_body", { passMark: data.passMark }),
      ),
      Fields([
        field(ctx, "card.field.score", data.score),
        field(ctx, "card.field.pass_mark", data.passMark),
        field(ctx, "card.field.attempts_left", data.attemptsLeft),
        field(ctx, "card.field.retry_after", data.retryAfter),
      ]),
      data.passed &&
        data.certificateUrl !== undefined &&
        Actions([LinkButton(t(locale, "card.quiz_result.certificate"), data.certificateUrl)]),
      canRetry &&
        Actions([Button(t(locale, "card.quiz_result.retry"), "quiz.start", { value: data.courseId })]),
    ],
  );
}
