import type { InboundEvent } from "../../bots/events.ts";
import type { SurfaceAdapter } from "../shared/surface.ts";
import { parseWebRequest } from "./parse.ts";
import { renderCard, type WebRenderedCard } from "./render.ts";
import { webPersonSender } from "./send.ts";
import { verifyWebRequest, type WebRequest, type WebVerifyOptions } from "./verify.ts";

export { decodeBody } from "./body.ts";
export { type ChatPageInput, chatPage, chatScriptPath, problemPage, signInPage } from "./pages.ts";
export {
  idempotencyKeyPattern,
  maxMessageLength,
  maxQueryLength,
  parseWebRequest,
  webEventTypes,
} from "./parse.ts";
export {
  chatDocument,
  chatStylesheet,
  escapeHtml,
  fieldNames,
  renderCard,
  renderCardHtml,
  renderCardPage,
  renderMarkdown,
  renderMessage,
  safeHttpUrl,
  type WebMessageView,
  type WebRenderContext,
  type WebRenderedCard,
  webhookPath,
} from "./render.ts";
export { chatScript } from "./script.ts";
export { outboxSourceKey, type WebChatStore, webPersonSender } from "./send.ts";
export {
  constantTimeEqual,
  verifyWebRequest,
  type WebRequest,
  type WebSession,
  type WebVerifyOptions,
} from "./verify.ts";

/** How the web surface sends: a person's notifications become bot messages in their web chat. */
export type WebSend = { person: typeof webPersonSender };

export type WebAdapter = SurfaceAdapter<InboundEvent, WebRenderedCard, WebSend> & {
  verify(request: WebRequest, now?: Date): ReturnType<typeof verifyWebRequest>;
  parse(request: WebRequest): ReturnType<typeof parseWebRequest>;
};

/**
 * The web chat surface (DESIGN §7): verify = the session of a signed login link, same origin and
 * its CSRF token; parse = the chat's form or JSON posts; render = HTML cards; send = the person's
 * web chat (stored messages the page polls; cards update in place). See README.md.
 */
export function webAdapter(options: WebVerifyOptions): WebAdapter {
  return {
    name: "web",
    verify: (request) => verifyWebRequest(request, options),
    parse: parseWebRequest,
    render: renderCard,
    send: { person: webPersonSender },
  };
}
