import WebSocket from "ws";
import { parseJsonOrUndefined } from "../shared/json.ts";

/**
 * DingTalk's Stream mode (shared/reference/lark-dingtalk.md §B8; protocol:
 * https://opensource.dingtalk.com/developerpedia/docs/learn/stream/protocol): the app opens a
 * WebSocket itself, so no public URL is needed.
 *
 * 1. `POST <api>/v1.0/gateway/connections/open` with the app's key and secret and the
 *    subscriptions → `{endpoint, ticket}` (the ticket is single-use);
 * 2. connect to `endpoint?ticket=…`;
 * 3. frames `{specVersion, type: SYSTEM|EVENT|CALLBACK, headers, data: "<json string>"}`: SYSTEM
 *    `ping` is answered with its data, SYSTEM `disconnect` means the server is about to close (a
 *    new ticket is fetched); an EVENT is answered `{status: SUCCESS|LATER}` — DingTalk re-sends
 *    what was not acked SUCCESS, so the answer goes out only after `onEvent` resolved; a CALLBACK
 *    of a subscribed topic (`callbacks`, e.g. the robot's messages, {@link robotMessageTopic}) is
 *    answered `200 OK` once its handler resolved, and not at all when it threw: DingTalk re-sends
 *    a push that was not answered for about a minute (the official Node SDK's
 *    `socketCallBackResponse` doc comment, reference note §B8). Other CALLBACK topics are
 *    answered at once and dropped.
 *
 * On a close or an error the client opens a new ticket after a capped, jittered backoff, until
 * `stop()`.
 */

export type StreamHeaders = {
  topic?: string;
  messageId?: string;
  contentType?: string;
  time?: string;
  eventType?: string;
  eventId?: string;
  eventCorpId?: string;
  eventBornTime?: string;
  [name: string]: string | undefined;
};

export type StreamFrame = {
  specVersion?: string;
  type: "SYSTEM" | "EVENT" | "CALLBACK";
  headers: StreamHeaders;
  /** The frame's payload, still a JSON string. */
  data: string;
};

export type EventAckStatus = "SUCCESS" | "LATER";

/**
 * The topic of the robot's chat messages when the robot's receiving mode is Stream (the official
 * SDKs' `TOPIC_ROBOT`); `data` is the JSON body the HTTP mode POSTs.
 */
export const robotMessageTopic = "/v1.0/im/bot/messages/get";

/** Handles one CALLBACK frame: resolves once it is durable (then answered OK), throws otherwise. */
export type CallbackHandler = (frame: StreamFrame) => Promise<void>;

export type StreamLogger = {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
};

export type StreamClientOptions = {
  clientId: string;
  clientSecret: string;
  /** `https://api.dingtalk.com` unless DINGTALK_API_URL points elsewhere. */
  apiUrl?: string;
  /** Stores the event durably; the ack waits for it. A throw is answered LATER. */
  onEvent(frame: StreamFrame): Promise<EventAckStatus>;
  /**
   * The CALLBACK topics subscribed to, each with its handler. A frame is answered `200 OK` after
   * its handler resolved; when the handler throws there is no answer, so DingTalk sends it again.
   */
  callbacks?: Readonly<Record<string, CallbackHandler>>;
  logger: StreamLogger;
  fetch?: typeof fetch;
  /** First reconnect delay (doubles per failure up to `maxBackoffMs`, jittered ±50 %). */
  backoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** The `ua` of the ticket request. */
  userAgent?: string;
  /** How long the ticket request may take. Default 10 s. */
  openTimeoutMs?: number;
  /**
   * A WebSocket ping goes out this often; with no frame and no pong for two rounds the connection
   * is assumed dead and reopened (a NAT may drop an idle socket silently). Default 20 s.
   */
  keepAliveMs?: number;
};

export type StreamClient = {
  start(): void;
  /** Closes the socket and stops reconnecting; resolves when the socket is closed. */
  stop(): Promise<void>;
  readonly connected: boolean;
  /** Successful connections so far (tests, health). */
  readonly connections: number;
};

export class StreamOpenError extends Error {
  override name = "StreamOpenError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const defaultApiUrl = "https://api.dingtalk.com";
/** How long a connection must have held for the reconnect backoff to start over. */
const stableMs = 30_000;

/** Parses a frame; anything that is not a frame → undefined. */
export function parseStreamFrame(raw: string): StreamFrame | undefined {
  const value = parseJsonOrUndefined(raw);
  if (typeof value !== "object" || value === null) return undefined;
  const frame = value as Record<string, unknown>;
  if (frame.type !== "SYSTEM" && frame.type !== "EVENT" && frame.type !== "CALLBACK") return undefined;
  if (typeof frame.headers !== "object" || frame.headers === null) return undefined;
  const headers: StreamHeaders = {};
  for (const [name, v] of Object.entries(frame.headers as Record<string, unknown>)) {
    if (typeof v === "string") headers[name] = v;
    else if (typeof v === "number") headers[name] = String(v);
  }
  return {
    ...(typeof frame.specVersion === "string" ? { specVersion: frame.specVersion } : {}),
    type: frame.type,
    headers,
    data: typeof frame.data === "string" ? frame.data : "",
  };
}

/** The answer to a frame, keyed by its messageId. */
export function streamAnswer(messageId: string, data: string): string {
  return JSON.stringify({
    code: 200,
    headers: { contentType: "application/json", messageId },
    message: "OK",
    data,
  });
}

/**
 * The answer to a handled CALLBACK frame: the official Node SDK wraps what the handler returns as
 * `{response: …}` (`socketCallBackResponse`); DingTalk reads nothing from it for a robot message
 * (answers go through the sessionWebhook or the OpenAPI, reference note §B6).
 */
export function callbackAnswer(messageId: string): string {
  return streamAnswer(messageId, JSON.stringify({ response: {} }));
}

/** What `connections/open` is asked for: every EVENT, and the CALLBACK topics handled. */
export function streamSubscriptions(
  callbacks: Readonly<Record<string, CallbackHandler>> = {},
): { type: "EVENT" | "CALLBACK"; topic: string }[] {
  return [
    { type: "EVENT", topic: "*" },
    ...Object.keys(callbacks).map((topic) => ({ type: "CALLBACK" as const, topic })),
  ];
}

/** The delay before reconnect attempt `failures` (1-based): doubling, capped, jittered ±50 %. */
export function reconnectDelayMs(failures: number, baseMs: number, maxMs: number, random: () => number) {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (0.5 + random()));
}

export function createStreamClient(options: StreamClientOptions): StreamClient {
  const { logger } = options;
  const doFetch = options.fetch ?? fetch;
  const apiUrl = (options.apiUrl ?? defaultApiUrl).replace(/\/+$/, "");
  const baseMs = options.backoffMs ?? 1_000;
  const maxMs = options.maxBackoffMs ?? 60_000;
  const random = options.random ?? Math.random;
  const keepAliveMs = options.keepAliveMs ?? 20_000;
  const callbacks = options.callbacks ?? {};

  let running = false;
  let socket: WebSocket | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let lastSeen = 0;
  let failures = 0;
  let connections = 0;
  let opening: AbortController | undefined;

  async function openTicket(): Promise<{ endpoint: string; ticket: string }> {
    opening = new AbortController();
    const abort = setTimeout(() => opening?.abort(), options.openTimeoutMs ?? 10_000);
    try {
      const res = await doFetch(`${apiUrl}/v1.0/gateway/connections/open`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          subscriptions: streamSubscriptions(options.callbacks),
          ua: options.userAgent ?? "baton",
          localIp: "",
        }),
        signal: opening.signal,
      });
      const text = await res.text();
      // Not JSON: reported below by status.
      const parsed = parseJsonOrUndefined(text);
      const body = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
      if (
        !res.ok ||
        typeof body.endpoint !== "string" ||
        !/^wss?:\/\//.test(body.endpoint) ||
        typeof body.ticket !== "string"
      ) {
        // DingTalk's error answer is `{code, message}`; the body never echoes the secret.
        const code = typeof body.code === "string" ? body.code : `HTTP ${res.status}`;
        throw new StreamOpenError(`the Stream ticket was refused (${code})`, res.status);
      }
      return { endpoint: body.endpoint, ticket: body.ticket };
    } finally {
      clearTimeout(abort);
      opening = undefined;
    }
  }

  function schedule(reason: string): void {
    socket = undefined;
    clearInterval(heartbeat);
    if (!running || timer) return;
    failures += 1;
    const delay = reconnectDelayMs(failures, baseMs, maxMs, random);
    logger.info({ surface: "dingtalk", reason, delayMs: delay }, "DingTalk Stream reconnects");
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, delay);
  }

  function watch(ws: WebSocket): void {
    clearInterval(heartbeat);
    lastSeen = Date.now();
    heartbeat = setInterval(() => {
      if (Date.now() - lastSeen > 2 * keepAliveMs) {
        logger.warn({ surface: "dingtalk" }, "DingTalk Stream silent too long; reconnecting");
        ws.terminate();
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, keepAliveMs);
    heartbeat.unref?.();
  }

  function send(ws: WebSocket, text: string): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  async function onEventFrame(ws: WebSocket, frame: StreamFrame): Promise<void> {
    const messageId = frame.headers.messageId;
    let status: EventAckStatus;
    try {
      status = await options.onEvent(frame);
    } catch (error) {
      logger.error(
        { surface: "dingtalk", eventType: frame.headers.eventType, error: (error as Error).name },
        "DingTalk Stream event not stored; asking for redelivery",
      );
      status = "LATER";
    }
    if (!messageId) return;
    send(
      ws,
      streamAnswer(
        messageId,
        JSON.stringify({ status, message: status === "SUCCESS" ? "success" : "later" }),
      ),
    );
  }

  function onMessage(ws: WebSocket, raw: string): void {
    lastSeen = Date.now();
    const frame = parseStreamFrame(raw);
    if (!frame) {
      logger.warn({ surface: "dingtalk", bytes: raw.length }, "DingTalk Stream frame malformed; ignored");
      return;
    }
    const { topic, messageId } = frame.headers;
    if (frame.type === "SYSTEM") {
      if (topic === "ping" && messageId) send(ws, streamAnswer(messageId, frame.data));
      else if (topic === "disconnect") {
        logger.info({ surface: "dingtalk" }, "DingTalk Stream asks to reconnect");
        ws.close(1000, "disconnect");
      } else logger.debug({ surface: "dingtalk", topic }, "DingTalk Stream system frame");
      return;
    }
    if (frame.type === "EVENT") {
      void onEventFrame(ws, frame);
      return;
    }
    const handler = topic !== undefined && Object.hasOwn(callbacks, topic) ? callbacks[topic] : undefined;
    if (handler) {
      void onCallbackFrame(ws, frame, handler);
      return;
    }
    // Callbacks of topics not subscribed (card clicks…): answered so they are not re-sent.
    logger.info({ surface: "dingtalk", topic }, "DingTalk Stream callback ignored");
    if (messageId) send(ws, streamAnswer(messageId, JSON.stringify({})));
  }

  async function onCallbackFrame(ws: WebSocket, frame: StreamFrame, handler: CallbackHandler): Promise<void> {
    const { topic, messageId } = frame.headers;
    try {
      await handler(frame);
    } catch (error) {
      // No answer: DingTalk sends the frame again, and the handler gets another chance.
      logger.error(
        { surface: "dingtalk", topic, error: (error as Error).name },
        "DingTalk Stream callback not handled; left unanswered for a redelivery",
      );
      return;
    }
    if (messageId) send(ws, callbackAnswer(messageId));
  }

  async function connect(): Promise<void> {
    if (!running) return;
    let target: { endpoint: string; ticket: string };
    try {
      target = await openTicket();
    } catch (error) {
      if (!running) return;
      const status = error instanceof StreamOpenError ? error.status : undefined;
      logger.error(
        { surface: "dingtalk", status, error: (error as Error).message.slice(0, 200) },
        "DingTalk Stream ticket failed",
      );
      schedule("ticket");
      return;
    }
    if (!running) return;
    const separator = target.endpoint.includes("?") ? "&" : "?";
    const ws = new WebSocket(`${target.endpoint}${separator}ticket=${encodeURIComponent(target.ticket)}`);
    socket = ws;
    let closed = false;
    let openedAt: number | undefined;
    const closedOnce = (reason: string) => {
      if (closed) return;
      closed = true;
      // A connection that held a while starts the backoff over; one that drops at once does not,
      // so a gateway that accepts and closes at once is not hammered every second.
      if (openedAt !== undefined && Date.now() - openedAt >= stableMs) failures = 0;
      if (socket === ws) schedule(reason);
    };
    ws.on("open", () => {
      openedAt = Date.now();
      connections += 1;
      watch(ws);
      logger.info({ surface: "dingtalk" }, "DingTalk Stream connected");
    });
    ws.on("pong", () => {
      lastSeen = Date.now();
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        logger.warn({ surface: "dingtalk" }, "DingTalk Stream binary frame ignored");
        return;
      }
      onMessage(ws, data.toString());
    });
    ws.on("error", (error) => {
      logger.warn(
        { surface: "dingtalk", error: error.message.slice(0, 200) },
        "DingTalk Stream socket error",
      );
      closedOnce("error");
      ws.terminate();
    });
    ws.on("close", (code) => {
      logger.info({ surface: "dingtalk", code }, "DingTalk Stream closed");
      closedOnce("close");
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      failures = 0;
      void connect();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      clearInterval(heartbeat);
      opening?.abort();
      const ws = socket;
      socket = undefined;
      if (!ws || ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2_000);
        ws.once("close", () => {
          clearTimeout(force);
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, "stopping");
      });
    },
    get connected() {
      return socket?.readyState === WebSocket.OPEN;
    },
    get connections() {
      return connections;
    },
  };
}
