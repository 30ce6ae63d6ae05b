import type { CardNode, Option } from "../cards/model.ts";
import type { InboundEvent } from "./events.ts";

/**
 * What the bot answers to one event. Surfaces render cards with their own renderer and fall back
 * to `fallbackText` where they cannot show a card.
 *
 * - `reply`: a new message in the chat the event came from.
 * - `replace`: update the card that was clicked, in place, where the surface can (else a new message).
 * - `direct`: a message in the acting person's 1:1 chat (a card anyone in a group could click goes
 *   there instead of the group).
 * - `options`: the answer to a `search` event (person picker).
 */
export type Reply =
  | { type: "reply"; card: CardNode }
  | { type: "replace"; card: CardNode }
  | { type: "direct"; card: CardNode }
  | { type: "options"; options: Option[] };

export type BotOutcome = {
  /** True when this event was a redelivery of one already handled: nothing was done again. */
  duplicate: boolean;
  replies: Reply[];
  /** The acting person as the bot resolved them (undefined: unknown person, refused). */
  principal?: string;
};

/**
 * The HR bot as the surfaces see it (built in adapters/http, which wires the core commands in).
 * `receive` stores the event in the inbox first (so a redelivery has no second effect and a crash
 * loses nothing), then handles it and answers within the surface's deadline.
 */
export type BotHandler = {
  receive(event: InboundEvent): Promise<BotOutcome>;
  /**
   * For answers that need not be in the surface's HTTP answer (a click whose card is updated
   * through the platform's API): resolves as soon as the event is stored durably (`duplicate`: a
   * redelivery, nothing more happens); the bot handles it shortly after, with the other events
   * accepted meanwhile: `outcome` settles with its answer as soon as it is ready, `done` once its
   * batch is finished (its inbox row marked).
   */
  accept?(
    event: InboundEvent,
  ): Promise<{ duplicate: boolean; outcome: Promise<BotOutcome>; done: Promise<void> }>;
};
