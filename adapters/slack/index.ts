import type { CardNode } from "../../cards/model.ts";
import type { RawRequest, SurfaceAdapter } from "../shared/surface.ts";
import { parseSlackRequest, type SlackEvent, type SlackParseOptions } from "./parse.ts";
import { renderMessage, type SlackMessage } from "./render.ts";
import type { SlackSender } from "./send.ts";
import { verifySlackRequest } from "./verify.ts";

export { decodeActionId, decodeModalMetadata, encodeModalMetadata, type ModalMetadata } from "./codec.ts";
export {
  isSlackSslCheck,
  parseSlackRequest,
  type SlackContext,
  type SlackEvent,
  type SlackParseOptions,
  slackTextToPlain,
} from "./parse.ts";
export { type AckAnswer, boltBody, FetchReceiver, type SlackListener, slackBoltApp } from "./receiver.ts";
export {
  escapeMrkdwn,
  messageText,
  renderMessage,
  renderModal,
  renderSuggestions,
  renderViewErrors,
  type SlackMessage,
  type SlackModal,
} from "./render.ts";
export {
  type LogSink,
  type Posted,
  permanentSlackErrors,
  type SlackMember,
  type SlackSender,
  SlackTransientError,
  slackDeliveryError,
  slackLogger,
  slackSender,
  slackWebClient,
} from "./send.ts";
export { slackSignature, slackToleranceSeconds, verifySlackRequest } from "./verify.ts";

export type SlackAdapter = SurfaceAdapter<SlackEvent, SlackMessage, SlackSender> & {
  parse(request: RawRequest): ReturnType<typeof parseSlackRequest>;
};

/**
 * The Slack surface (DESIGN §7): verify = v0 HMAC over the raw body within ±5 minutes; parse = the
 * Events API, interactivity and the `/baton` command on one URL → neutral events; render = Block
 * Kit within Slack's limits; send = Bolt's WebClient (post, `chat.update`, `response_url`, DMs
 * through `conversations.open`, `views.open`). adapters/http wires it to the route and the bot.
 */
export function slackAdapter(options: {
  signingSecret: string;
  sender: SlackSender;
  /** Our clock (the neutral events' `receivedAt`). */
  now: () => Date;
  parse?: Omit<SlackParseOptions, "now">;
}): SlackAdapter {
  return {
    name: "slack",
    verify: (request, now) => verifySlackRequest(request, now, options.signingSecret),
    parse: (request) => parseSlackRequest(request, { ...options.parse, now: options.now() }),
    render: (card: CardNode) => renderMessage(card),
    send: options.sender,
  };
}
