/**
 * Our seam around the Bot Framework SDK (shared/reference/slack-teams.md §B5): the rest of Baton
 * speaks these types only, so botbuilder (archived; support ended 2025-12-31) can be swapped for
 * `@microsoft/teams.apps` or the Agents SDK by writing one more implementation of
 * {@link TeamsGateway}. The botbuilder one is bot-framework.ts.
 */

/** An activity as JSON (the Bot Framework schema; what Teams posts and what we send). */
export type TeamsActivity = Record<string, unknown>;

/**
 * What a proactive message needs to reach a conversation (botbuilder's `ConversationReference`,
 * ids only): the regional `serviceUrl` Teams gave with an authenticated activity, the
 * conversation, our bot and (1:1 chats) the person.
 */
export type TeamsReference = {
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean };
  bot: { id: string; name?: string };
  user?: { id: string; aadObjectId?: string };
};

/** The answer to an `invoke` (HTTP status and body, as botbuilder's `InvokeResponse`). */
export type TeamsInvokeResponse = { status: number; body?: unknown };

/** One authenticated inbound activity, and what can be done within its request. */
export type TeamsTurn = {
  readonly activity: TeamsActivity;
  /** A new message in the activity's conversation (a reply in a channel thread). */
  reply(activity: TeamsActivity): Promise<{ id?: string }>;
  /** Replaces a message we sent earlier in this conversation (the card an `Action.Submit` came from). */
  update(activityId: string, activity: TeamsActivity): Promise<void>;
  /** The body of the HTTP answer to an `invoke` (the last call wins). */
  respond(response: TeamsInvokeResponse): void;
};

/** A request to `POST /webhooks/teams` with its JSON body parsed. */
export type TeamsRequest = {
  method: string;
  headers: Readonly<Record<string, string>>;
  body: Record<string, unknown>;
};

/** What to answer: the SDK's status and body; `turnRan` is false when the request was refused before the turn. */
export type TeamsProcessed = {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  turnRan: boolean;
};

/** Sends to Teams outside an inbound request (notifications, a card to someone's 1:1 chat). */
export type TeamsConnector = {
  /** Posts a new message into a stored conversation (`POST …/v3/conversations/{id}/activities`). */
  post(reference: TeamsReference, activity: TeamsActivity): Promise<{ id?: string }>;
  /**
   * Opens (or finds) the 1:1 chat of the bot with a person (`POST …/v3/conversations`). Teams
   * answers 403 when the app is not installed for them.
   */
  openPersonalChat(input: {
    serviceUrl: string;
    tenantId?: string;
    botId: string;
    userId: string;
  }): Promise<TeamsReference>;
};

export type TeamsGateway = TeamsConnector & {
  /** False only in the local `TEAMS_ALLOW_UNAUTHENTICATED` mode. */
  readonly authenticated: boolean;
  /**
   * Authenticates the request (the Bot Framework JWT: issuer, audience = our app id, signing key
   * and endorsement, the `serviceurl` claim against the activity's) and runs `turn` with it.
   */
  process(request: TeamsRequest, turn: (turn: TeamsTurn) => Promise<void>): Promise<TeamsProcessed>;
};

/** A refusal or failure of the Bot Connector service, in our terms. */
export class TeamsApiError extends Error {
  /** The HTTP status the connector answered (undefined: no answer, e.g. a network error). */
  readonly status: number | undefined;
  /** Its `Retry-After`, in seconds, on a 429 / 503. */
  readonly retryAfterSeconds: number | undefined;
  /** The connector's error code (`BotNotInConversationRoster`, `ThrottledRequest`, …). */
  readonly code: string | undefined;

  constructor(
    message: string,
    options: {
      status?: number | undefined;
      retryAfterSeconds?: number | undefined;
      code?: string | undefined;
    },
  ) {
    super(message);
    this.name = "TeamsApiError";
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.code = options.code;
  }
}

/** `http(s)://localhost`, `127.x.x.x` or `[::1]`: where the local unauthenticated mode may reply. */
export function isLoopbackServiceUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
