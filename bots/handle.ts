/**
 * The HR bot's engine: which card answers which event (issue 6 point 3). Pure apart from the
 * ports it is given: it resolves the person, reads the text, slash command, click or search, and
 * calls the area that answers it. AppErrors from the core become cards (forbidden: the not-allowed
 * card, nothing changed); anything else is thrown to the caller.
 */

import type { Locale } from "../core/messages/index.ts";
import { openAgreement, signAgreement, signCommand } from "./actions/agreements.ts";
import {
  acknowledge,
  completeHandover,
  completeSettlement,
  handoverCommand,
  listCases,
  openCase,
  openStep,
  status,
  updateHandover,
} from "./actions/cases.ts";
import { bindChannel } from "./actions/channels.ts";
import { helpReply } from "./actions/help.ts";
import { openNotice, submitNotice } from "./actions/notice.ts";
import { searchPeople } from "./actions/people.ts";
import { answerQuiz, openTraining, startQuiz, turnPage } from "./actions/training.ts";
import { messageCard } from "./cards.ts";
import {
  type BotCommand,
  type CommandResult,
  commandFromIntent,
  isSlashCommand,
  parseBatonArguments,
  parseSlashCommand,
} from "./command.ts";
import { type BotContext, botContext, say, tell } from "./context.ts";
import type { ActionEvent, InboundEvent } from "./events.ts";
import { parseIntent } from "./intents.ts";
import type { BotPorts } from "./ports.ts";
import type { Reply } from "./reply.ts";

export type Handled = { replies: Reply[]; principal?: string };

/** Every card action the bot answers, by name. */
export const botActions = [
  "notice.submit",
  "notice.acknowledge",
  "case.open",
  "case.status",
  "step.open",
  "handover.update",
  "handover.complete",
  "settlement.complete",
  "agreement.open",
  "agreement.sign",
  "training.open",
  "lesson.page",
  "quiz.start",
  "quiz.answer",
] as const;

function runCommand(ctx: BotContext, command: BotCommand): Promise<Reply[]> {
  switch (command.name) {
    case "resign":
      return openNotice(ctx, command.requestedLastDay);
    case "status":
      return status(ctx);
    case "sign":
      return signCommand(ctx, command.agreement);
    case "training":
      return openTraining(ctx, command.course, true);
    case "quiz":
      return startQuiz(ctx, command.course, true);
    case "handover":
      return handoverCommand(ctx, command.caseRef);
    case "cases":
      return listCases(ctx, command.filter);
    case "bind":
      return bindChannel(ctx, command.target);
    case "help":
      return Promise.resolve([helpReply(ctx)]);
  }
}

function parsed(ctx: BotContext, result: CommandResult): Promise<Reply[]> {
  if (result.ok) return runCommand(ctx, result.command);
  return Promise.resolve([
    say(ctx, result.error.text[ctx.locale], { title: ctx.text("bot.command.error_title"), tone: "warning" }),
  ]);
}

function runAction(ctx: BotContext, event: ActionEvent): Promise<Reply[]> {
  const { value } = event;
  switch (event.action) {
    case "notice.submit":
      return submitNotice(ctx);
    case "notice.acknowledge":
      return acknowledge(ctx, value);
    case "case.open":
    case "case.status":
      return openCase(ctx, value);
    case "step.open":
      return openStep(ctx, value);
    case "handover.update":
      return updateHandover(ctx, value);
    case "handover.complete":
      return completeHandover(ctx, value);
    case "settlement.complete":
      return completeSettlement(ctx, value);
    case "agreement.open":
      return openAgreement(ctx, value);
    case "agreement.sign":
      return signAgreement(ctx, value);
    case "training.open":
      return openTraining(ctx, value);
    case "lesson.page":
      return turnPage(ctx, value);
    case "quiz.start":
      return startQuiz(ctx, value);
    case "quiz.answer":
      return answerQuiz(ctx, value);
    default:
      return Promise.resolve([say(ctx, ctx.text("bot.action.unknown"), { tone: "warning" })]);
  }
}

function dispatch(ctx: BotContext): Promise<Reply[]> {
  const { event } = ctx;
  switch (event.type) {
    case "command":
      return parsed(ctx, parseBatonArguments(event.text));
    case "message": {
      if (isSlashCommand(event.text)) return parsed(ctx, parseSlashCommand(event.text));
      const command = commandFromIntent(parseIntent(event.text));
      if (command) return runCommand(ctx, command);
      return Promise.resolve([say(ctx, ctx.text("bot.unknown_text")), helpReply(ctx)]);
    }
    case "action":
      return runAction(ctx, event);
    case "search":
      return searchPeople(ctx, event.action, event.query);
  }
}

/** The polite refusal for someone Baton does not serve: a guest, an external contact, an unknown account. */
function refusal(event: InboundEvent, ports: BotPorts, locale: Locale, external: boolean): Reply {
  const t = (key: Parameters<BotPorts["t"]>[1]) => ports.t(locale, key);
  return tell(
    event,
    messageCard(
      { locale, t: ports.t },
      external
        ? { title: t("bot.external.title"), body: t("bot.external.body"), tone: "info" }
        : { title: t("bot.unknown_person.title"), body: t("bot.unknown_person.body"), tone: "info" },
    ),
  );
}

/**
 * Answers one event. The locale is the event's, else the person's, else zh-CN. Someone external or
 * unknown gets a polite refusal (a search gets no options) and nothing happens.
 */
export async function handle(event: InboundEvent, ports: BotPorts): Promise<Handled> {
  const external = event.who.external === true;
  const person = external ? undefined : await ports.identify(event.surface, event.who);
  const locale: Locale = event.locale ?? person?.locale ?? "zh-CN";
  if (!person) {
    if (event.type === "search") return { replies: [{ type: "options", options: [] }] };
    return { replies: [refusal(event, ports, locale, external)] };
  }
  const ctx = botContext(event, ports, person, locale);
  return { replies: await dispatch(ctx), principal: person.principal };
}
