/**
 * A local fake of DingTalk's servers (shared/reference/lark-dingtalk.md §B6–B7, §C1), one origin
 * for both hosts (`DINGTALK_API_URL=<fake>`):
 *
 * - `GET /gettoken?appkey&appsecret` → an access token (checks the app's key and secret);
 * - `POST /v1.0/robot/oToMessages/batchSend`, `/v1.0/robot/groupMessages/send` (header
 *   `x-acs-dingtalk-access-token`) → `{processQueryKey}`;
 * - `POST /robot/sendBySession?session=…` → a message's `sessionWebhook`;
 * - `POST /robot/send?access_token=…&timestamp=…&sign=…` → the legacy custom robot: checks the
 *   sign (±1 h) and allows 20 messages a minute, then `errcode 410100`;
 * - `POST /topapi/v2/department/listsubid`, `/topapi/v2/user/list`, `/topapi/processinstance/get`.
 *
 * Errors are DingTalk's: HTTP 200 with `errcode` ≠ 0 (old host), 4xx with `code` (new host).
 * `failNext(path, answer)` makes the next calls of a path fail (e.g. a rate-limit answer);
 * `route(path, answer)` serves another path (the Stream gateway's `connections/open`,
 * test/fakes/dingtalk-stream.ts).
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dingtalkSign } from "../../adapters/dingtalk/verify.ts";
import { readBody } from "./read-body.ts";

type Json = Record<string, unknown>;

export type DingTalkApiCall = {
  path: string;
  query: Record<string, string>;
  body: Json;
  token?: string;
  answer: { status: number; body: Json };
};

export type FakeDingTalkAnswer = { status?: number; body: Json };

export type FakeDingTalkApi = {
  readonly origin: string;
  /** A `sessionWebhook` on the fake. */
  sessionWebhook(name: string): string;
  /** The custom robot's webhook (`/robot/send?access_token=…`). */
  readonly robotWebhook: string;
  readonly robotSecret: string;
  readonly calls: DingTalkApiCall[];
  callsTo(path: string): DingTalkApiCall[];
  /** Succeeded 1:1 and group sends, as `{to, msgKey, param}` (param parsed). */
  sent(): { to: string; msgKey: string; param: Json; path: string }[];
  failNext(path: string, answer: FakeDingTalkAnswer, times?: number): void;
  route(path: string, answer: (body: Json) => { status: number; body: Json }): void;
  setUsers(byDept: Record<number, Json[]>, subDepts?: Record<number, number[]>): void;
  setApproval(id: string, instance: Json): void;
  /** Moves the custom robot's clock (its 20-a-minute window and the sign window). */
  setNow(now: () => number): void;
  reset(): void;
  close(): Promise<void>;
};

export const fakeAppKey = "dingappkey0test";
export const fakeAccessToken = "dt-access-token-0001";

export async function startFakeDingTalkApi(options: { appSecret: string }): Promise<FakeDingTalkApi> {
  const calls: DingTalkApiCall[] = [];
  const failures = new Map<string, FakeDingTalkAnswer[]>();
  const robotSecret = "SECfake0robot0secret0for0tests0000000000000000000000";
  let users: Record<number, Json[]> = {};
  let subDepts: Record<number, number[]> = {};
  const approvals = new Map<string, Json>();
  const routes = new Map<string, (body: Json) => { status: number; body: Json }>();
  let robotSends: number[] = [];
  let now = () => Date.now();
  let counter = 0;

  function answerFor(path: string, query: Record<string, string>, body: Json, token?: string) {
    const failing = failures.get(path);
    if (failing && failing.length > 0) {
      const next = failing.shift() as FakeDingTalkAnswer;
      return { status: next.status ?? 200, body: next.body };
    }
    const routed = routes.get(path);
    if (routed) return routed(body);
    switch (path) {
      case "/gettoken":
        if (query.appkey !== fakeAppKey || query.appsecret !== options.appSecret)
          return { status: 200, body: { errcode: 40089, errmsg: "不合法的corpid或corpsecret" } };
        return {
          status: 200,
          body: { errcode: 0, errmsg: "ok", access_token: fakeAccessToken, expires_in: 7200 },
        };
      case "/v1.0/robot/oToMessages/batchSend":
      case "/v1.0/robot/groupMessages/send":
        if (token !== fakeAccessToken)
          return { status: 401, body: { code: "InvalidAuthentication", message: "token is invalid" } };
        if (typeof body.msgKey !== "string" || typeof body.msgParam !== "string" || !body.robotCode)
          return { status: 400, body: { code: "MissingParameter", message: "msgKey/msgParam/robotCode" } };
        return { status: 200, body: { processQueryKey: `pqk-${++counter}` } };
      case "/robot/sendBySession":
        return { status: 200, body: { errcode: 0, errmsg: "ok" } };
      case "/robot/send": {
        const ts = Number(query.timestamp);
        if (!query.sign || !Number.isFinite(ts) || Math.abs(now() - ts) > 3600_000)
          return { status: 200, body: { errcode: 310000, errmsg: "invalid timestamp" } };
        if (query.sign !== dingtalkSign(robotSecret, query.timestamp as string))
          return { status: 200, body: { errcode: 310000, errmsg: "sign not match" } };
        robotSends = robotSends.filter((at) => at > now() - 60_000);
        if (robotSends.length >= 20)
          return {
            status: 200,
            body: { errcode: 410100, errmsg: "send too fast, exceed 20 times per minute" },
          };
        robotSends.push(now());
        return { status: 200, body: { errcode: 0, errmsg: "ok" } };
      }
      case "/topapi/v2/department/listsubid":
        return {
          status: 200,
          body: { errcode: 0, result: { dept_id_list: subDepts[Number(body.dept_id)] ?? [] } },
        };
      case "/topapi/v2/user/list": {
        const list = users[Number(body.dept_id)] ?? [];
        const cursor = Number(body.cursor ?? 0);
        const size = Number(body.size ?? 100);
        const page = list.slice(cursor, cursor + size);
        const more = cursor + size < list.length;
        return {
          status: 200,
          body: {
            errcode: 0,
            result: { has_more: more, ...(more ? { next_cursor: cursor + size } : {}), list: page },
          },
        };
      }
      case "/topapi/processinstance/get": {
        const instance = approvals.get(String(body.process_instance_id));
        if (!instance) return { status: 200, body: { errcode: 10001, errmsg: "instance not found" } };
        return { status: 200, body: { errcode: 0, process_instance: instance } };
      }
      default:
        return { status: 404, body: { code: "NotFound", message: path } };
    }
  }

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    let body: Json = {};
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      body = {};
    }
    const header = req.headers["x-acs-dingtalk-access-token"];
    const token = typeof header === "string" ? header : query.access_token;
    const answer = answerFor(url.pathname, query, body, token);
    calls.push({ path: url.pathname, query, body, ...(token ? { token } : {}), answer });
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    sessionWebhook: (name) => `${origin}/robot/sendBySession?session=${encodeURIComponent(name)}`,
    robotWebhook: `https://127.0.0.1:${(server.address() as AddressInfo).port}/robot/send?access_token=robot-token`,
    robotSecret,
    calls,
    callsTo: (path) => calls.filter((c) => c.path === path),
    sent() {
      return calls
        .filter(
          (c) =>
            (c.path === "/v1.0/robot/oToMessages/batchSend" || c.path === "/v1.0/robot/groupMessages/send") &&
            c.answer.status === 200 &&
            (c.answer.body.errcode === undefined || c.answer.body.errcode === 0),
        )
        .map((c) => ({
          path: c.path,
          to: c.path.includes("oToMessages")
            ? ((c.body.userIds as string[]) ?? []).join(",")
            : String(c.body.openConversationId),
          msgKey: String(c.body.msgKey),
          param: JSON.parse(String(c.body.msgParam)) as Json,
        }));
    },
    failNext(path, answer, times = 1) {
      const list = failures.get(path) ?? [];
      for (let i = 0; i < times; i++) list.push(answer);
      failures.set(path, list);
    },
    route(path, answer) {
      routes.set(path, answer);
    },
    setUsers(byDept, sub = {}) {
      users = byDept;
      subDepts = sub;
    },
    setApproval(id, instance) {
      approvals.set(id, instance);
    },
    setNow(fn) {
      now = fn;
    },
    reset() {
      calls.length = 0;
      failures.clear();
      robotSends = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
