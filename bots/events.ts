import type { ChatType } from "./conversation.ts";

/** The chat surfaces (DESIGN §7). */
export const surfaceNames = ["slack", "lark", "dingtalk", "teams", "web"] as const;
export type SurfaceName = (typeof surfaceNames)[number];

/**
 * Who acted. Surfaces that authenticate the person themselves (the web chat's session) set
 * `principal`; the others give their platform's user id, which the bot matches through stored
 * identities (never through an e-mail the user can set).
 */
export type Who = {
  /** The platform's user id (`U0123`, `ou_…`, `29:…`); for the web, the principal. */
  userId: string;
  /** Set only by a surface that authenticated the person itself (web session). */
  principal?: string;
  /** The workspace / tenant / corp the user belongs to, as the platform says. */
  tenant?: string;
  /** A guest, a Slack Connect user or an external contact: refused politely. */
  external?: boolean;
  displayName?: string;
};

/** Where it happened. */
export type Where = {
  /** The platform's conversation id (a DM channel, a group chat, the web chat of a person). */
  chatId: string;
  chatType: ChatType;
  /** A group shared with another organisation (Slack Connect, Lark external group). */
  external?: boolean;
};

type EventBase = {
  surface: SurfaceName;
  /** Unique per surface: the platform's event/message/activity id, or the web's idempotency key. */
  idempotencyKey: string;
  who: Who;
  where: Where;
  receivedAt: Date;
  /** The viewer's language when the surface knows it (else the person's, else zh-CN). */
  locale?: "zh-CN" | "en";
  /**
   * What the surface verified about the request, kept with a signature as evidence: the verified
   * request's SHA-256 and signature header (chat platforms); the client IP (trusted proxies only),
   * user agent and hashed session id (web).
   */
  proof?: {
    requestSha256?: string;
    signatureHeader?: string;
    ip?: string;
    userAgent?: string;
    sessionIdHash?: string;
  };
};

/** A text message to the bot (a DM, or a group message that mentions it). */
export type MessageEvent = EventBase & {
  type: "message";
  text: string;
  /** The platform's message id (a reply can thread under it). */
  messageId?: string;
};

/** `/baton …` as a slash command: `text` is what follows `/baton`. */
export type CommandEvent = EventBase & { type: "command"; text: string };

/** Values of a card's inputs as the click sent them (multi-selects as arrays). */
export type FormValues = Readonly<Record<string, string | readonly string[]>>;

/** A button or submit click on a card. */
export type ActionEvent = EventBase & {
  type: "action";
  /** The card node's `action` (e.g. `notice.submit`). */
  action: string;
  /** The card node's `value` (ids only). */
  value?: string;
  form: FormValues;
  /** The message that carried the card, so the answer can replace it in place. */
  sourceMessageId?: string;
};

/** A person picker asking for options as the user types (`PersonInput` with `search: remote`). */
export type SearchEvent = EventBase & { type: "search"; action: string; query: string };

export type InboundEvent = MessageEvent | CommandEvent | ActionEvent | SearchEvent;
