import type { CardNode } from "../cards/model.ts";
import type { CardContext } from "../cards/templates/context.ts";
import { notAllowed } from "../cards/templates/general.ts";
import { dateInTimeZone, type IsoDate } from "../core/compliance/dates.ts";
import { type AppError, isAppError } from "../core/errors.ts";
import { isMessageKey, type Locale, type MessageKey } from "../core/messages/index.ts";
import { messageCard } from "./cards.ts";
import type { InboundEvent } from "./events.ts";
import type { BotPerson, BotPorts } from "./ports.ts";
import type { Reply } from "./reply.ts";

/** What every handler gets: the event, the ports, the resolved person and their language. */
export type BotContext = {
  event: InboundEvent;
  ports: BotPorts;
  person: BotPerson;
  locale: Locale;
  cards: CardContext;
  text(key: MessageKey, params?: Readonly<Record<string, string | number>>): string;
  /** Today in the person's time zone. */
  today(): IsoDate;
};

export function botContext(
  event: InboundEvent,
  ports: BotPorts,
  person: BotPerson,
  locale: Locale,
): BotContext {
  const cards: CardContext = { locale, t: ports.t };
  return {
    event,
    ports,
    person,
    locale,
    cards,
    text: (key, params) => ports.t(locale, key, params),
    today: () => dateInTimeZone(ports.now(), person.timeZone),
  };
}

const inGroup = (event: InboundEvent) => event.where.chatType === "group";

/**
 * Where a card answering the event goes. A click in a 1:1 chat updates the card in place; in a
 * group it never replaces the shared card — the answer goes to the person's 1:1 chat. A command
 * in a group gets personal cards (and approvals anyone could click) in the 1:1 chat too, and
 * group-wide ones (help, binding) in the group.
 */
export function show(ctx: BotContext, card: CardNode, options: { personal?: boolean } = {}): Reply {
  const { event } = ctx;
  if (event.type === "action") return inGroup(event) ? { type: "direct", card } : { type: "replace", card };
  if (inGroup(event) && options.personal !== false) return { type: "direct", card };
  return { type: "reply", card };
}

/**
 * Where a refusal or an error goes: never over the card that was clicked (so the person can correct
 * a form and send it again), never into a group for a click.
 */
export function tell(event: InboundEvent, card: CardNode): Reply {
  if (event.type === "action" && inGroup(event)) return { type: "direct", card };
  return { type: "reply", card };
}

/** The text of an AppError in the locale: its catalogue key, else the generic text of its code. */
export function errorText(ctx: Pick<BotContext, "text">, error: AppError): string {
  const key = error.messageKey;
  if (key && isMessageKey(key)) return ctx.text(key, error.params);
  const generic = `error.${error.code}`;
  if (error.code !== "internal" && isMessageKey(generic)) return ctx.text(generic);
  return ctx.text("bot.error.internal");
}

/**
 * An AppError from the core as a card: `forbidden` is the not-allowed card (nothing changed);
 * anything else shows its message.
 */
export function errorCard(ctx: Pick<BotContext, "text" | "cards">, error: AppError): CardNode {
  if (error.code === "forbidden") return notAllowed({}, ctx.cards);
  return messageCard(ctx.cards, {
    title: ctx.text("bot.error.title"),
    body: errorText(ctx, error),
    tone: "warning",
  });
}

/** Runs a handler; an AppError becomes its card (the state is as the core left it: unchanged). */
export async function guarded(ctx: BotContext, run: () => Promise<Reply[]>): Promise<Reply[]> {
  try {
    return await run();
  } catch (error) {
    if (isAppError(error)) return [tell(ctx.event, errorCard(ctx, error))];
    throw error;
  }
}

/** A card with one message, as an answer that does not replace what was clicked. */
export function say(
  ctx: BotContext,
  body: string,
  options: { title?: string; tone?: "info" | "success" | "warning" | "danger" } = {},
): Reply {
  return tell(
    ctx.event,
    messageCard(ctx.cards, {
      title: options.title ?? ctx.text("bot.message.title"),
      body,
      tone: options.tone ?? "info",
    }),
  );
}

/** A form value as one string (the first of a multi-select). */
export function formText(event: InboundEvent, id: string): string | undefined {
  if (event.type !== "action") return undefined;
  const value = event.form[id];
  const first = typeof value === "string" ? value : value?.[0];
  return first === undefined ? undefined : first;
}

/** A form value as a list (a single value becomes one item); undefined when the input was not sent. */
export function formList(event: InboundEvent, id: string): string[] | undefined {
  if (event.type !== "action") return undefined;
  const value = event.form[id];
  if (value === undefined) return undefined;
  return typeof value === "string" ? (value === "" ? [] : [value]) : [...value];
}
