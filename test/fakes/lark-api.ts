/**
 * A local fake of the Feishu / Lark open API for the real SDK `Client` (`LARK_DOMAIN=<fake>`),
 * shared/reference/lark-dingtalk.md §A4–A5: the tenant_access_token, `im/v1/messages` create and
 * patch, the delayed card update, `bot/v3/info`, the contacts API (departments, users by
 * department) and `approval/v4/instances/:code`. Every call is recorded; the next calls of a route
 * can be told to answer a business code, HTTP 429 or a 5xx. Calls without a token it issued get
 * 99991663 (HTTP 401), as Lark answers.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LarkCard } from "../../adapters/lark/render.ts";
import { testBotOpenId } from "./lark.ts";
import { readBody } from "./read-body.ts";

type Json = Record<string, unknown>;

export const testLarkAppSecret = "fake-app-secret-9f8e7d6c";

/** Routes by name: `token`, `create`, `patch`, `card.update`, `bot`, `chat`, `departments`, `users`, `approval`. */
export type LarkRoute =
  | "token"
  | "create"
  | "patch"
  | "card.update"
  | "bot"
  | "chat"
  | "departments"
  | "users"
  | "approval";

export type LarkApiCall = {
  route: LarkRoute | "unknown";
  method: string;
  path: string;
  query: Record<string, string>;
  body: Json;
  authorization: string | undefined;
  /** For create / patch / card.update: the card that was sent. */
  card?: LarkCard;
  /** What the fake answered. */
  status: number;
  answer: Json;
};

export type FakeAnswer = { status?: number; body?: Json; headers?: Record<string, string> };

/** A message as it looks now (created, then patched). */
export type LarkShown = {
  messageId: string;
  receiveId: string;
  receiveIdType: string;
  chatId: string;
  card: LarkCard;
};

export type FakeLarkApi = {
  /** `LARK_DOMAIN` for the SDK. */
  readonly domain: string;
  readonly calls: LarkApiCall[];
  callsTo(route: LarkRoute): LarkApiCall[];
  /** The messages the bot sent, each with its latest patch, oldest first. */
  messages(): LarkShown[];
  failNext(route: LarkRoute, answer: FakeAnswer, times?: number): void;
  /** Departments (open_department_id) and people by department for the contacts API. */
  setDirectory(directory: { departments?: string[]; users: Record<string, Json[]> }): void;
  setApprovalInstance(code: string, instance: Json): void;
  /** Groups the chat API reports as shared with another company. */
  setExternalChat(chatId: string): void;
  reset(): void;
  close(): Promise<void>;
};

function routeOf(method: string, path: string): LarkRoute | "unknown" {
  if (method === "POST" && path === "/open-apis/auth/v3/tenant_access_token/internal") return "token";
  if (method === "POST" && path === "/open-apis/im/v1/messages") return "create";
  if (method === "PATCH" && /^\/open-apis\/im\/v1\/messages\/[^/]+$/.test(path)) return "patch";
  if (method === "POST" && path === "/open-apis/interactive/v1/card/update") return "card.update";
  if (method === "GET" && path === "/open-apis/bot/v3/info") return "bot";
  if (method === "GET" && /^\/open-apis\/im\/v1\/chats\/[^/]+$/.test(path)) return "chat";
  if (method === "GET" && /^\/open-apis\/contact\/v3\/departments\/[^/]+\/children$/.test(path))
    return "departments";
  if (method === "GET" && path === "/open-apis/contact/v3/users/find_by_department") return "users";
  if (method === "GET" && /^\/open-apis\/approval\/v4\/instances\/[^/]+$/.test(path)) return "approval";
  return "unknown";
}

export async function startFakeLarkApi(options: { appId?: string } = {}): Promise<FakeLarkApi> {
  const calls: LarkApiCall[] = [];
  const failures = new Map<LarkRoute, FakeAnswer[]>();
  const tokens = new Set<string>();
  const shown = new Map<string, LarkShown>();
  let directory: { departments: string[]; users: Record<string, Json[]> } = { departments: [], users: {} };
  const approvals = new Map<string, Json>();
  const externalChats = new Set<string>();
  let counter = 0;

  function success(route: LarkRoute, path: string, query: Record<string, string>, body: Json): FakeAnswer {
    switch (route) {
      case "token": {
        if ((options.appId && body.app_id !== options.appId) || body.app_secret !== testLarkAppSecret)
          return { status: 400, body: { code: 10014, msg: "app secret invalid" } };
        const token = `t-fake-${++counter}`;
        tokens.add(token);
        return { body: { code: 0, msg: "ok", tenant_access_token: token, expire: 7200 } };
      }
      case "create": {
        const type = query.receive_id_type ?? "";
        const receiveId = String(body.receive_id ?? "");
        if (!["open_id", "union_id", "user_id", "chat_id", "email"].includes(type) || receiveId === "")
          return { status: 400, body: { code: 230001, msg: "invalid receive_id" } };
        const messageId = `om_fake_${++counter}`;
        const chatId = type === "chat_id" ? receiveId : `oc_dm_${receiveId}`;
        shown.set(messageId, {
          messageId,
          receiveId,
          receiveIdType: type,
          chatId,
          card: JSON.parse(String(body.content)) as LarkCard,
        });
        return {
          body: {
            code: 0,
            msg: "success",
            data: { message_id: messageId, chat_id: chatId, msg_type: "interactive" },
          },
        };
      }
      case "patch": {
        const id = decodeURIComponent(path.split("/").at(-1) ?? "");
        const message = shown.get(id);
        if (!message) return { status: 400, body: { code: 230011, msg: "message not found" } };
        message.card = JSON.parse(String(body.content)) as LarkCard;
        return { body: { code: 0, msg: "success", data: {} } };
      }
      case "card.update":
        return { body: { code: 0, msg: "success", data: {} } };
      case "bot":
        return {
          body: {
            code: 0,
            msg: "ok",
            bot: { open_id: testBotOpenId, app_name: "Baton", activate_status: 2 },
          },
        };
      case "chat": {
        const id = decodeURIComponent(path.split("/").at(-1) ?? "");
        return {
          body: { code: 0, msg: "success", data: { chat_id: id, name: id, external: externalChats.has(id) } },
        };
      }
      case "departments":
        return {
          body: {
            code: 0,
            msg: "success",
            data: { items: directory.departments.map((id) => ({ open_department_id: id })), has_more: false },
          },
        };
      case "users": {
        const people = directory.users[query.department_id ?? ""] ?? [];
        // Two per page, to exercise paging.
        const start = Number(query.page_token ?? "0");
        const items = people.slice(start, start + 2);
        const more = start + 2 < people.length;
        return {
          body: {
            code: 0,
            msg: "success",
            data: { items, has_more: more, ...(more ? { page_token: String(start + 2) } : {}) },
          },
        };
      }
      case "approval": {
        const code = decodeURIComponent(path.split("/").at(-1) ?? "");
        const instance = approvals.get(code);
        if (!instance) return { status: 400, body: { code: 1390001, msg: "instance not found" } };
        return { body: { code: 0, msg: "success", data: instance } };
      }
    }
  }

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    const route = routeOf(method, url.pathname);
    const query = Object.fromEntries(url.searchParams);
    let body: Json = {};
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      body = {};
    }
    const authorization = req.headers.authorization;
    let answer: FakeAnswer;
    const queued = route === "unknown" ? undefined : failures.get(route)?.shift();
    if (route === "unknown") answer = { status: 404, body: { code: 404, msg: "not found" } };
    else if (queued) answer = queued;
    else if (route !== "token" && !tokens.has((authorization ?? "").replace(/^Bearer /, "")))
      answer = { status: 401, body: { code: 99991663, msg: "Invalid access token for authorization." } };
    else answer = success(route, url.pathname, query, body);
    const call: LarkApiCall = {
      route,
      method,
      path: url.pathname,
      query,
      body,
      authorization,
      status: answer.status ?? 200,
      answer: answer.body ?? {},
    };
    if ((route === "create" || route === "patch") && typeof body.content === "string")
      call.card = JSON.parse(body.content) as LarkCard;
    if (route === "card.update") call.card = body.card as LarkCard;
    calls.push(call);
    res.writeHead(answer.status ?? 200, {
      "content-type": "application/json; charset=utf-8",
      ...answer.headers,
    });
    res.end(JSON.stringify(answer.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    domain: `http://127.0.0.1:${port}`,
    calls,
    callsTo: (route) => calls.filter((c) => c.route === route),
    messages: () => [...shown.values()],
    failNext(route, answer, times = 1) {
      const list = failures.get(route) ?? [];
      for (let i = 0; i < times; i++) list.push(answer);
      failures.set(route, list);
    },
    setDirectory(next) {
      directory = { departments: next.departments ?? [], users: next.users };
    },
    setApprovalInstance(code, instance) {
      approvals.set(code, instance);
    },
    setExternalChat(chatId) {
      externalChats.add(chatId);
    },
    reset() {
      calls.length = 0;
      failures.clear();
      shown.clear();
      approvals.clear();
      externalChats.clear();
      directory = { departments: [], users: {} };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
