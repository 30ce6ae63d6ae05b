/**
 * A local fake of DingTalk's Stream gateway (adapters/dingtalk/stream.ts), on loopback only:
 *
 * - `POST /v1.0/gateway/connections/open` `{clientId, clientSecret, subscriptions}` → `{endpoint,
 *   ticket}`, or 401 `{code, message}` for a wrong key or secret. Served by its own HTTP server and,
 *   through `openConnection`, by the fake OpenAPI (test/fakes/dingtalk-api.ts `route`), so one
 *   `DINGTALK_API_URL` serves both;
 * - the WebSocket at `endpoint?ticket=…`: a ticket works once; an unknown or used one → 401;
 * - `push(frame)` sends an EVENT, `callback(frame)` a CALLBACK (e.g. a robot message, topic
 *   `/v1.0/im/bot/messages/get`), and `answer(messageId)` waits for the client's answer;
 *   `ping()`, `disconnect()` (SYSTEM frames), `drop()` (the socket dies), `sendRaw(text)`.
 */

import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { readBody } from "./read-body.ts";

type Json = Record<string, unknown>;

export type StreamAnswer = { code: number; headers: Json; message: string; data: string };

export type FakeStreamOpen = { body: Json; answer: { status: number; body: Json } };

export type FakeDingTalkStream = {
  /** The HTTP origin of the gateway's own server (connections/open and the WebSocket). */
  readonly origin: string;
  /** What `connections/open` answers (for composing with the fake OpenAPI). */
  openConnection(body: Json): { status: number; body: Json };
  readonly opens: FakeStreamOpen[];
  /** Tickets presented on the WebSocket, in order, with whether they were accepted. */
  readonly upgrades: { ticket: string; accepted: boolean }[];
  /** Accepted connections so far. */
  readonly connections: number;
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  /** Sends an EVENT frame to the open socket; answers its messageId. */
  push(input: { headers: Json; data: unknown; messageId?: string }): string;
  /** Sends a CALLBACK frame of `topic` (its data is the JSON string of `data`); answers its messageId. */
  callback(input: { topic: string; data: unknown; messageId?: string }): string;
  /** The client's answer to `messageId` (waits for it), or undefined after `timeoutMs`. */
  answer(messageId: string, timeoutMs?: number): Promise<StreamAnswer | undefined>;
  ping(data?: string): string;
  disconnect(): void;
  drop(): void;
  sendRaw(text: string): void;
  /** Refuses the next `connections/open` calls with this status (e.g. 500). */
  failOpen(status: number, times?: number): void;
  reset(): void;
  close(): Promise<void>;
};

/** An EVENT frame's headers and data for a `bpms_instance_change`. */
export function approvalEventFrame(input: {
  corpId: string;
  processInstanceId: string;
  processCode?: string;
  eventId?: string;
  type?: string;
  result?: string;
}): { headers: Json; data: Json } {
  const eventId = input.eventId ?? randomUUID().replaceAll("-", "");
  return {
    headers: {
      topic: "*",
      contentType: "application/json",
      eventType: "bpms_instance_change",
      eventId,
      eventCorpId: input.corpId,
      eventBornTime: String(Date.now()),
      eventUnifiedAppId: "fake-app",
    },
    data: {
      processInstanceId: input.processInstanceId,
      corpId: input.corpId,
      type: input.type ?? "finish",
      result: input.result ?? "agree",
      processCode: input.processCode ?? "PROC-RESIGN",
      title: "离职申请",
      staffId: "someone",
      createTime: Date.now(),
      finishTime: Date.now(),
    },
  };
}

export async function startFakeDingTalkStream(options: {
  appKey: string;
  appSecret: string;
  /** false: WebSocket pings go unanswered (a connection that died somewhere on the way). */
  autoPong?: boolean;
}): Promise<FakeDingTalkStream> {
  const tickets = new Map<string, boolean>();
  const opens: FakeStreamOpen[] = [];
  const upgrades: { ticket: string; accepted: boolean }[] = [];
  const answers = new Map<string, StreamAnswer>();
  const answerWaiters = new Map<string, ((a: StreamAnswer) => void)[]>();
  let connectionWaiters: { n: number; resolve: () => void }[] = [];
  let openFailures: number[] = [];
  let connections = 0;
  let current: WebSocket | undefined;
  let origin = "";

  function openConnection(body: Json): { status: number; body: Json } {
    const failing = openFailures.shift();
    if (failing !== undefined)
      return { status: failing, body: { code: "ServiceUnavailable", message: "busy" } };
    if (body.clientId !== options.appKey || body.clientSecret !== options.appSecret)
      return {
        status: 401,
        body: { code: "InvalidAuthentication", message: "clientId or clientSecret wrong" },
      };
    const ticket = randomUUID();
    tickets.set(ticket, false);
    return { status: 200, body: { endpoint: `${origin.replace("http:", "ws:")}/connect`, ticket } };
  }

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    let body: Json = {};
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      body = {};
    }
    const answer =
      req.method === "POST" && url.pathname === "/v1.0/gateway/connections/open"
        ? openConnection(body)
        : { status: 404, body: { code: "NotFound" } };
    if (url.pathname === "/v1.0/gateway/connections/open") opens.push({ body, answer });
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  });
  const wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const ticket = url.searchParams.get("ticket") ?? "";
    const ok = url.pathname === "/connect" && tickets.get(ticket) === false;
    upgrades.push({ ticket, accepted: ok });
    if (!ok) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    tickets.set(ticket, true);
    wss.handleUpgrade(req, socket, head, (ws) => {
      current = ws;
      connections += 1;
      ws.on("message", (data) => {
        let parsed: StreamAnswer;
        try {
          parsed = JSON.parse(data.toString()) as StreamAnswer;
        } catch {
          return;
        }
        const id = String(parsed.headers?.messageId ?? "");
        answers.set(id, parsed);
        for (const resolve of answerWaiters.get(id) ?? []) resolve(parsed);
        answerWaiters.delete(id);
      });
      const ready = connectionWaiters.filter((w) => connections >= w.n);
      connectionWaiters = connectionWaiters.filter((w) => connections < w.n);
      for (const w of ready) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function socketOrThrow(): WebSocket {
    if (!current || current.readyState !== WebSocket.OPEN) throw new Error("no open Stream connection");
    return current;
  }

  function sendFrame(type: string, headers: Json, data: string): string {
    const messageId = String(headers.messageId ?? randomUUID());
    socketOrThrow().send(
      JSON.stringify({
        specVersion: "1.0",
        type,
        headers: { time: String(Date.now()), ...headers, messageId },
        data,
      }),
    );
    return messageId;
  }

  return {
    origin,
    openConnection,
    opens,
    upgrades,
    get connections() {
      return connections;
    },
    waitForConnections(n, timeoutMs = 5_000) {
      if (connections >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`waited for ${n} Stream connections, have ${connections}`)),
          timeoutMs,
        );
        connectionWaiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    push({ headers, data, messageId }) {
      return sendFrame(
        "EVENT",
        { ...headers, ...(messageId ? { messageId } : {}) },
        typeof data === "string" ? data : JSON.stringify(data),
      );
    },
    callback({ topic, data, messageId }) {
      return sendFrame(
        "CALLBACK",
        { topic, contentType: "application/json", appId: "fake-app", ...(messageId ? { messageId } : {}) },
        typeof data === "string" ? data : JSON.stringify(data),
      );
    },
    answer(messageId, timeoutMs = 3_000) {
      const known = answers.get(messageId);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        const list = answerWaiters.get(messageId) ?? [];
        list.push((a) => {
          clearTimeout(timer);
          resolve(a);
        });
        answerWaiters.set(messageId, list);
      });
    },
    ping(data = JSON.stringify({ opaque: randomUUID() })) {
      return sendFrame("SYSTEM", { topic: "ping", contentType: "application/json" }, data);
    },
    disconnect() {
      const ws = socketOrThrow();
      sendFrame("SYSTEM", { topic: "disconnect", contentType: "application/json" }, "{}");
      // The real server closes a little later whatever the client does.
      setTimeout(() => ws.close(1000, "disconnect"), 200);
    },
    drop() {
      socketOrThrow().terminate();
    },
    sendRaw(text) {
      socketOrThrow().send(text);
    },
    failOpen(status, times = 1) {
      for (let i = 0; i < times; i++) openFailures.push(status);
    },
    reset() {
      opens.length = 0;
      upgrades.length = 0;
      answers.clear();
      openFailures = [];
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
