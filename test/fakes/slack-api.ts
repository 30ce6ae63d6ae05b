/**
 * A local fake of Slack's Web API for the real SDK (`SLACK_API_URL=<fake>/api/`), reference §A3.5:
 * `POST /api/<method>` with a form-encoded body (nested values as JSON strings) and
 * `Authorization: Bearer xoxb-…`, answering HTTP 200 `{ok:true,…}`. It records every call, and can
 * be told to answer the next calls of a method with `{ok:false,error}`, HTTP 429 with Retry-After, or
 * a 5xx. `POST /hooks/<name>` stands in for interactions' `response_url`s and records their JSON.
 */

import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./read-body.ts";

type Json = Record<string, unknown>;

export type SlackApiCall = {
  method: string;
  /** The form fields, with JSON values (`blocks`, `view`) parsed. */
  params: Json;
  token: string | undefined;
  /** `performance.now()` when it arrived. */
  at: number;
  /** What the fake answered (a successful call's result, or the failure it was told to give). */
  answer?: FakeAnswer;
};

export type ResponseUrlCall = { path: string; body: Json; at: number };

export type FakeAnswer = { status?: number; body?: Json; headers?: Record<string, string> };

export type FakeSlackApi = {
  /** `SLACK_API_URL` for the SDK (ends in `/api/`). */
  readonly apiUrl: string;
  readonly origin: string;
  /** A `response_url` on the fake. */
  responseUrl(name: string): string;
  readonly calls: SlackApiCall[];
  readonly responses: ResponseUrlCall[];
  callsTo(method: string): SlackApiCall[];
  /** The next `times` calls of `method` get `answer` instead of success. */
  failNext(method: string, answer: FakeAnswer, times?: number): void;
  /** Members for `users.list` (one page each call of `pages`). */
  setMembers(pages: Json[][]): void;
  reset(): void;
  close(): Promise<void>;
};

function parseParams(body: string, contentType: string): Json {
  if (contentType.startsWith("application/json")) return JSON.parse(body || "{}") as Json;
  const params: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const trimmed = value.trimStart();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        params[key] = JSON.parse(value);
        continue;
      } catch {
        // a plain string after all
      }
    }
    params[key] = value;
  }
  return params;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: SlackApiCall[] = [];
  const responses: ResponseUrlCall[] = [];
  const failures = new Map<string, FakeAnswer[]>();
  let memberPages: Json[][] = [[]];
  let tsCounter = 0;
  let viewCounter = 0;

  const nextTs = () => `1772410600.${String(++tsCounter).padStart(6, "0")}`;

  function success(method: string, params: Json): Json {
    switch (method) {
      case "auth.test":
        return { ok: true, user_id: "U0BATON", bot_id: "B0BATON", team_id: "T0ACME", team: "Acme" };
      case "chat.postMessage": {
        const ts = nextTs();
        return { ok: true, channel: params.channel, ts, message: { ts, text: params.text } };
      }
      case "chat.update":
        return { ok: true, channel: params.channel, ts: params.ts, text: params.text };
      case "chat.postEphemeral":
        return { ok: true, message_ts: nextTs() };
      case "conversations.open":
        return { ok: true, channel: { id: `D-${String(params.users)}` } };
      case "views.open":
      case "views.push":
        return { ok: true, view: { id: `V${++viewCounter}`, ...(params.view as Json) } };
      case "views.update":
        return { ok: true, view: { id: params.view_id, ...(params.view as Json) } };
      case "users.list": {
        const cursor = typeof params.cursor === "string" ? Number(params.cursor) : 0;
        const page = memberPages[cursor] ?? [];
        const next = cursor + 1 < memberPages.length ? String(cursor + 1) : "";
        return { ok: true, members: page, response_metadata: { next_cursor: next } };
      }
      default:
        return { ok: true };
    }
  }

  function send(res: ServerResponse, answer: FakeAnswer): void {
    res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
    res.end(JSON.stringify(answer.body ?? {}));
  }

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const at = performance.now();
    if (url.pathname.startsWith("/hooks/")) {
      responses.push({ path: url.pathname, body: JSON.parse(body || "{}") as Json, at });
      const queued = failures.get("response_url")?.shift();
      if (queued) return send(res, queued);
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("ok");
    }
    if (!url.pathname.startsWith("/api/")) {
      res.writeHead(404);
      return res.end();
    }
    const method = url.pathname.slice("/api/".length);
    const params = parseParams(body, String(req.headers["content-type"] ?? ""));
    const auth = req.headers.authorization;
    const call: SlackApiCall = { method, params, token: auth?.replace(/^Bearer /, ""), at };
    calls.push(call);
    const queued = failures.get(method)?.shift();
    call.answer =
      queued ??
      (auth?.startsWith("Bearer xoxb-")
        ? { body: success(method, params) }
        : { body: { ok: false, error: "not_authed" } });
    return send(res, call.answer);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    apiUrl: `${origin}/api/`,
    origin,
    responseUrl: (name) => `${origin}/hooks/${encodeURIComponent(name)}`,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext(method, answer, times = 1) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(answer);
      failures.set(method, list);
    },
    setMembers(pages) {
      memberPages = pages;
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      failures.clear();
      memberPages = [[]];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
