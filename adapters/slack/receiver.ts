/**
 * Bolt behind Hono (reference §A3): none of Bolt's receivers accepts a Fetch request, so this is
 * our own `Receiver`. The route verifies and parses the request itself (verify.ts, parse.ts), then
 * hands the body to {@link FetchReceiver.dispatch}, which calls Bolt's `processEvent` with an
 * `ack` we control: the HTTP answer is whatever the listener acks (Bolt acks Events API payloads
 * itself, before any listener runs), and processing may go on after the answer is sent.
 *
 * - `ack()` / `ack("")` → 200 empty; `ack("text")` → 200 text; `ack({…})` → 200 JSON.
 * - A second `ack` throws Bolt's `ReceiverMultipleAckError`.
 * - No ack within `ackTimeoutMs` (3001 ms, as Bolt's own receivers) → 404; `processEvent` ending
 *   without an ack (no listener) → 404; rejecting before one → 500.
 */

import { App, type Receiver, ReceiverMultipleAckError } from "@slack/bolt";
import { type Json, mediaType } from "../shared/json.ts";
import type { RawRequest } from "../shared/surface.ts";
import { parsedSlackBody } from "./parse.ts";
import { type LogSink, slackLogger } from "./send.ts";

/** What the route answers Slack. */
export type AckAnswer = { status: number; body?: string | Json };

export type Dispatched = {
  /** Settles with the ack (or the timeout / failure answer). */
  response: Promise<AckAnswer>;
  /** Settles when Bolt's listeners have all finished (keep it alive: `waitUntil` on Workers). */
  processing: Promise<void>;
};

/**
 * The request body as Bolt expects it: JSON, form fields, or interactivity's `payload` JSON (the
 * object parse.ts already read, when it did).
 */
export function boltBody(request: RawRequest): Json {
  const parsed = parsedSlackBody(request);
  if (parsed) return parsed;
  const type = mediaType(request);
  if (
    type === "application/x-www-form-urlencoded" ||
    (type === "" && !request.body.trimStart().startsWith("{"))
  ) {
    const form = new URLSearchParams(request.body);
    const payload = form.get("payload");
    if (payload !== null) return JSON.parse(payload) as Json;
    return Object.fromEntries(form.entries());
  }
  return JSON.parse(request.body) as Json;
}

export class FetchReceiver implements Receiver {
  private app: App | undefined;
  private readonly ackTimeoutMs: number;

  constructor(options: { ackTimeoutMs?: number } = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 3001;
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  dispatch(
    body: Json,
    options: { retryNum?: number; retryReason?: string; customProperties?: Json } = {},
  ): Dispatched {
    const app = this.app;
    if (!app) throw new Error("the receiver is not attached to a Bolt App");
    let settle!: (answer: AckAnswer) => void;
    let acked = false;
    const response = new Promise<AckAnswer>((resolve) => {
      settle = resolve;
    });
    const timer = setTimeout(() => {
      if (!acked) {
        acked = true;
        settle({ status: 404 });
      }
    }, this.ackTimeoutMs);
    const ack = async (answer?: unknown): Promise<void> => {
      if (acked) throw new ReceiverMultipleAckError();
      acked = true;
      clearTimeout(timer);
      if (answer === undefined || answer === null || answer === "") settle({ status: 200 });
      else if (typeof answer === "string") settle({ status: 200, body: answer });
      else settle({ status: 200, body: answer as Json });
    };
    const processing = app
      .processEvent({
        body,
        ack,
        ...(options.retryNum !== undefined ? { retryNum: options.retryNum } : {}),
        ...(options.retryReason !== undefined ? { retryReason: options.retryReason } : {}),
        ...(options.customProperties ? { customProperties: options.customProperties } : {}),
      })
      .then(
        () => {
          clearTimeout(timer);
          if (!acked) {
            acked = true;
            settle({ status: 404 });
          }
        },
        () => {
          clearTimeout(timer);
          if (!acked) {
            acked = true;
            settle({ status: 500 });
          }
        },
      );
    return { response, processing };
  }
}

/** What every listener gets: Slack's body, the ack, and Bolt's context (with our custom properties). */
export type SlackListenerArgs = {
  body: Json;
  ack?: (response?: unknown) => Promise<void>;
  context: Json;
};

export type SlackListener = (args: SlackListenerArgs) => Promise<void>;

/**
 * A Bolt App on our receiver for one bot token (single-workspace install). No `auth.test` at start
 * (the token is handed out by `authorize`), no Bolt conversation store, and no `ignoreSelf`: parse.ts
 * already drops bot posts and our own messages. One listener takes what Baton handles: `message`
 * and `app_mention` events, the slash command, our buttons (`bt:…`), our modals' submissions and
 * the person picker's suggestions (`in:…`). Listener errors go to `onError`.
 */
export function slackBoltApp(options: {
  token: string;
  receiver: FetchReceiver;
  listener: SlackListener;
  logger: LogSink;
  apiUrl?: string | undefined;
  onError?: (error: Error) => void;
}): App {
  const app = new App({
    receiver: options.receiver,
    authorize: async () => ({ botToken: options.token }),
    ignoreSelf: false,
    convoStore: false,
    logger: slackLogger(options.logger, "bolt"),
    clientOptions: {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    },
  });
  const listener = options.listener as never;
  app.event(/^(message|app_mention)$/, listener);
  app.command(/.*/, listener);
  app.action(/^bt:/, listener);
  app.view({ type: "view_submission" }, listener);
  app.options(/^in:/, listener);
  app.error(async (error) => {
    options.onError?.(error);
  });
  return app;
}
