/**
 * Training in chat: lesson pages (each page turn recorded in the learning trail), and the quiz one
 * question at a time, its progress kept in the conversation store (the answers themselves are
 * recorded by the training module as they come).
 */

import { lessonPage, quizQuestion, quizResult } from "../../cards/templates/training.ts";
import { AppError } from "../../core/errors.ts";
import { type BotContext, formList, guarded, say, show } from "../context.ts";
import {
  parseConversation,
  type QuizProgress,
  quizTransition,
  startQuiz as startProgress,
} from "../conversation.ts";
import type { ConversationKey, CoursePage, QuizPaper } from "../ports.ts";
import type { Reply } from "../reply.ts";

/** How long quiz progress is kept between answers. */
export const quizTtlSeconds = 24 * 3600;

const courseIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

function courseIdOf(value: string | undefined): string {
  const id = value ?? "";
  if (!courseIdPattern.test(id)) {
    throw new AppError("not_found", "There is no such course.", {
      messageKey: "bot.training.no_assignment",
      params: { course: id.slice(0, 40) },
    });
  }
  return id;
}

/** Quiz progress is the person's on this surface, whichever chat the question cards went to. */
function quizKey(ctx: BotContext): ConversationKey {
  return { surface: ctx.event.surface, chatId: "*", principal: ctx.person.principal, kind: "quiz" };
}

function pageCard(ctx: BotContext, page: CoursePage) {
  return lessonPage(
    {
      courseId: page.courseId,
      // The page shown travels in the buttons, so the next click knows which page was read.
      lessonId: String(page.page),
      courseTitle: page.courseTitle,
      lessonTitle: page.lessonTitle,
      page: page.page,
      pages: page.pages,
      markdown: page.markdown,
    },
    ctx.cards,
  );
}

async function firstCourse(ctx: BotContext, courseId: string | undefined): Promise<string | undefined> {
  if (courseId !== undefined) return courseId;
  const open = await ctx.ports.training.open(ctx.person.principal);
  return open[0]?.courseId;
}

/** `training.open` (a course id) and `/baton training [course]`: the course's first page. */
export function openTraining(
  ctx: BotContext,
  value: string | undefined,
  fromCommand = false,
): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const courseId = fromCommand ? await firstCourse(ctx, value) : courseIdOf(value);
    if (courseId === undefined) return [say(ctx, ctx.text("bot.training.none"))];
    const page = await ctx.ports.training.page({
      principal: ctx.person.principal,
      courseId: courseIdOf(courseId),
      from: null,
      to: 1,
      locale: ctx.locale,
    });
    return [show(ctx, pageCard(ctx, page))];
  });
}

/** `lesson.page` (`course:from:to`): the next (or previous) page. */
export function turnPage(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const match = /^(.+):(\d{1,4}):(\d{1,4})$/.exec(value ?? "");
    const to = Number(match?.[3] ?? 0);
    if (!match || to < 1)
      throw new AppError("not_found", "There is no such page.", { messageKey: "error.not_found" });
    const from = Number(match[2]);
    const page = await ctx.ports.training.page({
      principal: ctx.person.principal,
      courseId: courseIdOf(match[1]),
      from: from >= 1 ? from : null,
      to,
      locale: ctx.locale,
    });
    return [show(ctx, pageCard(ctx, page))];
  });
}

/** The progress of a paper: its questions, with the answers already given in order replayed. */
function progressOf(paper: QuizPaper): QuizProgress {
  let state = startProgress({
    attemptId: paper.attemptId,
    questions: paper.questions.map((q) => ({
      id: q.questionId,
      optionIds: q.options.map((o) => o.key),
      multiple: q.type === "multiple",
    })),
  });
  for (const question of paper.questions) {
    const given = paper.answers[question.questionId];
    if (!given || given.length === 0) break;
    const next = quizTransition(state, {
      type: "answer",
      questionId: question.questionId,
      choices: [...given],
    });
    if (!next.ok) break;
    state = next.state;
  }
  return state;
}

function questionReply(ctx: BotContext, paper: QuizPaper, state: QuizProgress): Reply {
  const question = paper.questions[state.index];
  if (!question) throw new Error("no question left to ask");
  return show(
    ctx,
    quizQuestion(
      {
        attemptId: paper.attemptId,
        index: state.index + 1,
        total: paper.questions.length,
        question: question.prompt,
        options: question.options.map((o) => ({ label: `${o.key}. ${o.text}`, value: o.key })),
        multiple: question.type === "multiple",
      },
      ctx.cards,
    ),
  );
}

async function finish(ctx: BotContext, attemptId: string): Promise<Reply[]> {
  const result = await ctx.ports.training.submit({
    principal: ctx.person.principal,
    attemptId,
    locale: ctx.locale,
  });
  await ctx.ports.conversations.clear(quizKey(ctx));
  return [show(ctx, quizResult(result, ctx.cards))];
}

/** Asks the next question of a paper (or submits it when every question is answered). */
async function ask(ctx: BotContext, paper: QuizPaper): Promise<Reply[]> {
  const state = progressOf(paper);
  if (paper.submitted || state.status === "finished") return finish(ctx, paper.attemptId);
  await ctx.ports.conversations.save(quizKey(ctx), state, quizTtlSeconds);
  return [questionReply(ctx, paper, state)];
}

/** `quiz.start` (a course id) and `/baton quiz [course]`: starts or resumes the attempt. */
export function startQuiz(ctx: BotContext, value: string | undefined, fromCommand = false): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const courseId = fromCommand ? await firstCourse(ctx, value) : courseIdOf(value);
    if (courseId === undefined) return [say(ctx, ctx.text("bot.training.none"))];
    const paper = await ctx.ports.training.startQuiz({
      principal: ctx.person.principal,
      courseId: courseIdOf(courseId),
      locale: ctx.locale,
    });
    return ask(ctx, paper);
  });
}

/** `quiz.answer` (`attempt:number`): records the answer and asks the next question, or scores. */
export function answerQuiz(ctx: BotContext, value: string | undefined): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const match = /^([A-Za-z0-9-]{1,64}):(\d{1,3})$/.exec(value ?? "");
    if (!match)
      throw new AppError("not_found", "There is no such attempt.", { messageKey: "error.not_found" });
    const attemptId = match[1] as string;
    const number = Number(match[2]);
    const paper = await ctx.ports.training.paper({
      principal: ctx.person.principal,
      attemptId,
      locale: ctx.locale,
    });
    if (paper.submitted) return finish(ctx, attemptId);
    const stored = parseConversation(await ctx.ports.conversations.load(quizKey(ctx)));
    const recorded = progressOf(paper);
    // The store keeps the order answered in chat; the paper is the truth when the two disagree.
    const state =
      stored?.kind === "quiz" && stored.attemptId === attemptId && stored.index === recorded.index
        ? stored
        : recorded;
    if (number - 1 < state.index) {
      // A second click on a question already answered: nothing to record, ask the current one.
      return state.status === "finished" ? finish(ctx, attemptId) : [questionReply(ctx, paper, state)];
    }
    const question = state.questions[number - 1];
    const next = quizTransition(state, {
      type: "answer",
      questionId: question?.id ?? "",
      choices: formList(ctx.event, "answer") ?? [],
    });
    if (!next.ok) {
      return [say(ctx, ctx.text(next.rejection.key, next.rejection.params), { tone: "warning" })];
    }
    const answer = next.state.answers.at(-1);
    if (!answer) throw new Error("an accepted answer is recorded in the state");
    await ctx.ports.training.answer({
      principal: ctx.person.principal,
      attemptId,
      questionId: answer.questionId,
      choices: answer.choices,
    });
    if (next.state.status === "finished") return finish(ctx, attemptId);
    await ctx.ports.conversations.save(quizKey(ctx), next.state, quizTtlSeconds);
    return [questionReply(ctx, paper, next.state)];
  });
}
