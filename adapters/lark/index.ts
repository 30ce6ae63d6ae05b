/** The Feishu / Lark surface (README.md): verify, parse, render, limits, send. */

export { decodeFormValue, decodeValue, encodeValue } from "./codec.ts";
export { checkLarkCard, larkCardBytes } from "./limits.ts";
export {
  type LarkContext,
  type LarkEvent,
  type LarkParseOptions,
  larkTextToPlain,
  parseLarkPayload,
  parseLarkRequest,
} from "./parse.ts";
export {
  escapeLarkMarkdown,
  type LarkCallbackResponse,
  type LarkCard,
  type LarkToast,
  markdownToLark,
  renderCardActionResponse,
  renderLarkCard,
  renderLarkMessage,
} from "./render.ts";
export {
  LarkApiError,
  type LarkApprovalInstance,
  type LarkSender,
  type LarkSenderOptions,
  type LarkSent,
  LarkTransientError,
  type LarkUser,
  type LogSink,
  larkDeliveryError,
  larkPermanentCodes,
  larkRateLimitCodes,
  larkReceiveIdType,
  larkSender,
  type ReceiveIdType,
} from "./send.ts";
export {
  decryptLark,
  encryptLark,
  type LarkSecrets,
  type LarkVerified,
  larkMaxAgeSeconds,
  larkSignature,
  openLarkBody,
  verifyLarkRequest,
} from "./verify.ts";
