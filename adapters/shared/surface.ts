import type { CardNode } from "../../cards/model.ts";

/** A request as it reached our route, before anything trusted it. */
export type RawRequest = {
  method: string;
  /** The full URL the platform called. */
  url: string;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string>>;
  /** The raw body bytes as text (signatures are over these exact bytes). */
  body: string;
};

export type VerifyFailure = { ok: false; status: 401 | 403; reason: string };
export type Verified = { ok: true };
export type VerifyResult = Verified | VerifyFailure;

/**
 * What a verified request means: a platform handshake to answer as given, events for the bot, or
 * something we do not handle (answered 200 and ignored, so the platform does not retry it).
 */
export type ParseResult<Event> =
  | { kind: "handshake"; status: number; body: unknown }
  | { kind: "events"; events: Event[] }
  | { kind: "ignored"; reason: string };

/**
 * The shape every chat surface implements (DESIGN §7): `verify` is pure (Web Crypto or Node crypto,
 * an injected `now`, constant-time compares); `parse` turns a verified payload into neutral events;
 * `render` turns a neutral card into the platform's JSON/HTML within its limits (with fallback
 * text); `send` posts, updates in place, DMs a person and posts to a group.
 */
export type SurfaceAdapter<Event, Rendered, Sender> = {
  readonly name: string;
  verify(request: RawRequest, now: Date): Promise<VerifyResult> | VerifyResult;
  parse(request: RawRequest): ParseResult<Event>;
  render(card: CardNode): Rendered;
  send: Sender;
};
