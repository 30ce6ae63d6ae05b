/**
 * Sending to Slack through Bolt's WebClient (`@slack/web-api` as `@slack/bolt` ships it; reference
 * §A3.4–A3.5): post a message, update one in place (`chat.update`), answer through a `response_url`,
 * open a person's DM (`conversations.open`) and a modal (`views.open` / `views.update`), and read
 * the member list (`users.list`). `SLACK_API_URL` points the client at a local fake in tests.
 *
 * Every failure is mapped to the dispatcher's terms ({@link slackDeliveryError}): HTTP 429 or
 * `{ok:false, error:"ratelimited"}` → RateLimitedError with Slack's Retry-After; an `{ok:false}` that
 * retrying cannot fix (`channel_not_found`, `not_in_channel`, `user_not_found`, `invalid_blocks`, a
 * revoked token …) → PermanentDeliveryError; HTTP 5xx, timeouts, connection errors and Slack's
 * own `internal_error` / `fatal_error` → SlackTransientError (retried with backoff). The client
 * itself never retries (the outbox does, with backoff) and rejects rate-limited calls at once.
 */

import { LogLevel, webApi } from "@slack/bolt";
import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import { type Json, str } from "../shared/json.ts";
import type { SlackMessage, SlackModal } from "./render.ts";

/** A Slack failure that may pass (5xx, timeout, network, Slack's internal errors): retried with backoff. */
export class SlackTransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SlackTransientError";
  }
}

/** `{ok:false}` errors that retrying cannot fix: the message is dead at once (an HR alert follows). */
export const permanentSlackErrors: ReadonlySet<string> = new Set([
  "account_inactive",
  "cannot_dm_bot",
  "cant_update_message",
  "channel_not_found",
  "edit_window_closed",
  "ekm_access_denied",
  "expired_trigger_id",
  "invalid_arguments",
  "invalid_auth",
  "invalid_blocks",
  "invalid_blocks_format",
  "invalid_form_data",
  "invalid_metadata_format",
  "invalid_trigger_id",
  "is_archived",
  "message_not_found",
  "method_deprecated",
  "missing_scope",
  "msg_too_long",
  "no_text",
  "not_allowed_token_type",
  "not_authed",
  "not_in_channel",
  "org_login_required",
  "restricted_action",
  "team_access_not_granted",
  "token_expired",
  "token_revoked",
  "too_many_attachments",
  "user_disabled",
  "user_not_found",
  "user_not_visible",
  "users_not_found",
  "view_too_large",
]);

function platformError(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== webApi.ErrorCode.PlatformError) return undefined;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === "string" ? data.error : "unknown_error";
}

/**
 * Any error from the WebClient (or a response_url POST) in the dispatcher's terms. Slack's own
 * texts are not copied beyond the error code: they may quote channel or user ids, never secrets.
 */
export function slackDeliveryError(error: unknown): Error {
  if (
    error instanceof RateLimitedError ||
    error instanceof PermanentDeliveryError ||
    error instanceof SlackTransientError
  )
    return error;
  const e = error as { code?: unknown; retryAfter?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (e?.code === webApi.ErrorCode.RateLimitedError) {
    return new RateLimitedError(
      typeof e.retryAfter === "number" ? e.retryAfter : undefined,
      "Slack: rate limited",
    );
  }
  const platform = platformError(error);
  if (platform !== undefined) {
    if (platform === "ratelimited" || platform === "rate_limited") {
      const retryAfter = (error as { data?: { response_metadata?: { retryAfter?: unknown } } }).data
        ?.response_metadata?.retryAfter;
      return new RateLimitedError(
        typeof retryAfter === "number" ? retryAfter : undefined,
        "Slack: ratelimited",
      );
    }
    if (permanentSlackErrors.has(platform)) return new PermanentDeliveryError(`Slack refused: ${platform}`);
    return new SlackTransientError(`Slack failed: ${platform}`);
  }
  if (e?.code === webApi.ErrorCode.HTTPError && typeof e.statusCode === "number") {
    return httpStatusError(e.statusCode);
  }
  if (e?.code === webApi.ErrorCode.RequestError) return new SlackTransientError("Slack could not be reached");
  // A 429 without a usable Retry-After header is thrown as a plain Error by the client.
  if (typeof e?.message === "string" && e.message.includes("Retry header")) {
    return new RateLimitedError(undefined, "Slack: rate limited");
  }
  return new SlackTransientError(`Slack call failed (${error instanceof Error ? error.name : "error"})`);
}

function httpStatusError(status: number, retryAfter?: string | null): Error {
  if (status === 429) {
    const seconds = retryAfter != null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined;
    return new RateLimitedError(seconds, "Slack: HTTP 429");
  }
  if (status >= 500 || status === 408) return new SlackTransientError(`Slack answered HTTP ${status}`);
  return new PermanentDeliveryError(`Slack answered HTTP ${status}`);
}

/** What the SDK's logger interface needs, fed into our own (structured, no secrets) logger. */
export type LogSink = {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

/**
 * `@slack/logger`'s interface over our logger. The SDK's debug lines (request bodies) are dropped;
 * its warnings and errors keep only their first 300 characters.
 */
export function slackLogger(sink: LogSink, name = "slack") {
  let level = LogLevel.WARN;
  const text = (parts: unknown[]) =>
    parts
      .map((p) => (p instanceof Error ? `${p.name}: ${p.message}` : typeof p === "string" ? p : ""))
      .join(" ")
      .slice(0, 300);
  return {
    debug: () => {},
    info: (...parts: unknown[]) => sink.debug({ sdk: name }, text(parts)),
    warn: (...parts: unknown[]) => sink.warn({ sdk: name }, text(parts)),
    error: (...parts: unknown[]) => sink.error({ sdk: name }, text(parts)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      name = n;
    },
  };
}

export type SlackClientOptions = {
  /** The bot token (`xoxb-…`). */
  token: string;
  /** `SLACK_API_URL` (default `https://slack.com/api/`). */
  apiUrl?: string | undefined;
  /** Where a `response_url` may point besides `https://hooks.slack.com` (tests: the fake's origin). */
  responseUrlOrigins?: readonly string[];
  /** Milliseconds before a call is given up (default 10 s). */
  timeoutMs?: number;
  logger?: LogSink;
  fetch?: typeof fetch;
};

/** Bolt's WebClient as Baton uses it: no retries of its own, rate-limited calls rejected at once. */
export function slackWebClient(options: SlackClientOptions): webApi.WebClient {
  return new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.logger ? { logger: slackLogger(options.logger, "web-api") } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export type Posted = { channel: string; ts: string };

/** A member of the workspace as `users.list` gives it (for directory sync proposals). */
export type SlackMember = {
  id: string;
  teamId?: string;
  name?: string;
  realName?: string;
  email?: string;
  deleted: boolean;
  bot: boolean;
  /** A guest (`is_restricted` / `is_ultra_restricted`) or a member of another organisation. */
  guest: boolean;
  stranger: boolean;
};

/** Everything Baton sends to Slack. Each call throws the mapped errors of {@link slackDeliveryError}. */
export type SlackSender = {
  readonly client: webApi.WebClient;
  /** `chat.postMessage` (with `parse: "none"`, no unfurling). */
  post(channel: string, message: SlackMessage, options?: { threadTs?: string }): Promise<Posted>;
  /** `chat.postEphemeral`: only `user` sees it. */
  postEphemeral(channel: string, user: string, message: SlackMessage): Promise<void>;
  /** `chat.update`: the message at `ts` becomes `message`. */
  update(channel: string, ts: string, message: SlackMessage): Promise<Posted>;
  /** POSTs to an interaction's or command's `response_url` (only Slack's own hosts). */
  respond(
    responseUrl: string,
    message: SlackMessage,
    options?: { replaceOriginal?: boolean; ephemeral?: boolean },
  ): Promise<void>;
  /** `conversations.open` with one user: the id of the bot's DM with them (remembered). */
  openDirect(userId: string): Promise<string>;
  /** `openDirect`, then `post`. */
  direct(userId: string, message: SlackMessage): Promise<Posted>;
  /** `views.open` with an interaction's trigger_id (usable for about 3 seconds). */
  openModal(triggerId: string, view: SlackModal): Promise<{ viewId?: string }>;
  /** `views.update` of an open modal. */
  updateModal(viewId: string, view: SlackModal): Promise<void>;
  /** Every member, page by page (`users.list`, 200 a page). */
  members(): AsyncGenerator<SlackMember>;
};

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw slackDeliveryError(error);
  }
}

function isAllowedResponseUrl(url: string, origins: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (parsed.protocol === "https:" && parsed.hostname === "hooks.slack.com") return true;
  return origins.includes(parsed.origin);
}

/** The sender over one bot token (single-workspace install, as the manifest sets it up). */
export function slackSender(options: SlackClientOptions): SlackSender {
  const client = slackWebClient(options);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const apiOrigin = options.apiUrl ? new URL(options.apiUrl).origin : undefined;
  const responseOrigins = [...(options.responseUrlOrigins ?? []), ...(apiOrigin ? [apiOrigin] : [])];
  const dms = new Map<string, string>();

  const sender: SlackSender = {
    client,
    async post(channel, message, postOptions = {}) {
      const result = await call(() =>
        client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks as never,
          parse: "none",
          unfurl_links: false,
          unfurl_media: false,
          ...(postOptions.threadTs ? { thread_ts: postOptions.threadTs } : {}),
        }),
      );
      return { channel: str(result.channel) ?? channel, ts: str(result.ts) ?? "" };
    },
    async postEphemeral(channel, user, message) {
      await call(() =>
        client.chat.postEphemeral({
          channel,
          user,
          text: message.text,
          blocks: message.blocks as never,
          parse: "none",
        }),
      );
    },
    async update(channel, ts, message) {
      const result = await call(() =>
        client.chat.update({
          channel,
          ts,
          text: message.text,
          blocks: message.blocks as never,
          parse: "none",
        }),
      );
      return { channel: str(result.channel) ?? channel, ts: str(result.ts) ?? ts };
    },
    async respond(responseUrl, message, respondOptions = {}) {
      if (!isAllowedResponseUrl(responseUrl, responseOrigins)) {
        throw new PermanentDeliveryError("response_url is not on a Slack host");
      }
      const body: Json = {
        text: message.text,
        blocks: message.blocks,
        response_type: respondOptions.ephemeral === false ? "in_channel" : "ephemeral",
        replace_original: respondOptions.replaceOriginal === true,
      };
      let response: Response;
      try {
        response = await fetchFn(responseUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch {
        throw new SlackTransientError("Slack's response_url could not be reached");
      }
      const text = await response.text().catch(() => "");
      if (response.status !== 200)
        throw httpStatusError(response.status, response.headers.get("retry-after"));
      // response_url answers `ok` as text, or JSON `{ok:false,error}` (e.g. expired_url, used_url).
      if (text.trimStart().startsWith("{")) {
        let parsed: { ok?: unknown; error?: unknown } = {};
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          return;
        }
        if (parsed.ok === false) {
          const code = typeof parsed.error === "string" ? parsed.error : "unknown_error";
          throw new PermanentDeliveryError(`Slack refused the response_url answer: ${code}`);
        }
      }
    },
    async openDirect(userId) {
      const known = dms.get(userId);
      if (known) return known;
      const result = await call(() => client.conversations.open({ users: userId, return_im: false }));
      const id = str((result.channel as Json | undefined)?.id);
      if (!id) throw new SlackTransientError("conversations.open answered no channel");
      if (dms.size > 5_000) dms.clear();
      dms.set(userId, id);
      return id;
    },
    async direct(userId, message) {
      return sender.post(await sender.openDirect(userId), message);
    },
    async openModal(triggerId, view) {
      const result = await call(() => client.views.open({ trigger_id: triggerId, view: view as never }));
      const viewId = str((result.view as Json | undefined)?.id);
      return viewId ? { viewId } : {};
    },
    async updateModal(viewId, view) {
      await call(() => client.views.update({ view_id: viewId, view: view as never }));
    },
    async *members() {
      let cursor: string | undefined;
      do {
        const page = await call(() => client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) }));
        for (const m of (page.members ?? []) as Json[]) {
          const id = str(m.id);
          if (!id) continue;
          const profile = (m.profile ?? {}) as Json;
          const teamId = str(m.team_id);
          yield {
            id,
            ...(teamId ? { teamId } : {}),
            ...(str(m.name) ? { name: str(m.name) } : {}),
            ...((str(m.real_name) ?? str(profile.real_name))
              ? { realName: str(m.real_name) ?? str(profile.real_name) }
              : {}),
            ...(str(profile.email) ? { email: str(profile.email) } : {}),
            deleted: m.deleted === true,
            bot: m.is_bot === true || id === "USLACKBOT",
            guest: m.is_restricted === true || m.is_ultra_restricted === true,
            stranger: m.is_stranger === true,
          };
        }
        cursor = str(page.response_metadata?.next_cursor);
      } while (cursor);
    },
  };
  return sender;
}
