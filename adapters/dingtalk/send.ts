/**
 * Talking to DingTalk (shared/reference/lark-dingtalk.md §B6–B7, §C1): the app's access token
 * (`GET /gettoken`), the app robot OpenAPI (`POST /v1.0/robot/oToMessages/batchSend` to people,
 * `POST /v1.0/robot/groupMessages/send` to groups, header `x-acs-dingtalk-access-token`), a
 * message's `sessionWebhook` (no token, until it expires), the legacy custom group robot
 * (`signedRobotWebhookUrl`), the user list (`/topapi/v2/department/listsubid`,
 * `/topapi/v2/user/list`) and approval instances (`/topapi/processinstance/get`).
 *
 * DingTalk answers errors as HTTP 200 with `errcode` ≠ 0 (the old `oapi` host) or as 4xx with
 * `code` (the new `api` host): both are checked, never the HTTP status alone. Throttling (HTTP 429,
 * `errcode` 90018 / 90006 / 90030 / 410100 / 130101, `Throttling…` codes) becomes a
 * {@link RateLimitedError}; a failure that cannot pass on retry a {@link PermanentDeliveryError};
 * anything else a {@link DingTalkApiError} (the outbox retries it).
 */

import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import type { Json } from "../shared/json.ts";
import { type DingTalkMessage, toRobotOpenApiMessage } from "./render.ts";
import { signedRobotWebhookUrl } from "./verify.ts";

export class DingTalkApiError extends Error {
  readonly errcode: string | undefined;
  readonly status: number;
  constructor(message: string, status: number, errcode?: string) {
    super(message);
    this.name = "DingTalkApiError";
    this.status = status;
    this.errcode = errcode;
  }
}

/** A `sessionWebhook` past its `sessionWebhookExpiredTime`: answer through the OpenAPI instead. */
export class SessionWebhookExpiredError extends Error {
  constructor() {
    super("the sessionWebhook has expired");
    this.name = "SessionWebhookExpiredError";
  }
}

const rateLimitCodes = new Set(["90018", "90006", "90030", "410100", "130101", "90002"]);
const permanentCodes = new Set(["310000", "300001", "400013", "33012", "40035"]);

/** Maps an HTTP answer of DingTalk to success (its JSON) or the right error. */
export function checkDingTalkAnswer(status: number, body: unknown, headers?: Headers): Json {
  const json = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Json) : {};
  const errcode = json.errcode === undefined ? undefined : String(json.errcode);
  const code = typeof json.code === "string" ? json.code : undefined;
  const message = String(json.errmsg ?? json.message ?? `HTTP ${status}`).slice(0, 200);
  const ok =
    status >= 200 && status < 300 && (errcode === undefined || errcode === "0") && code === undefined;
  if (ok) return json;
  if (
    status === 429 ||
    (errcode && rateLimitCodes.has(errcode)) ||
    (code && /throttl|qpslimit/i.test(code))
  ) {
    const retryAfter = Number(headers?.get("retry-after"));
    return throwing(
      new RateLimitedError(
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 60,
        `DingTalk rate limit: ${errcode ?? code ?? status}`,
      ),
    );
  }
  if ((errcode && permanentCodes.has(errcode)) || status === 400 || status === 403 || status === 404)
    return throwing(new PermanentDeliveryError(`DingTalk refused: ${errcode ?? code ?? status} ${message}`));
  return throwing(
    new DingTalkApiError(`DingTalk error ${errcode ?? code ?? status}: ${message}`, status, errcode ?? code),
  );
}

function throwing(error: Error): never {
  throw error;
}

export type DingTalkClientOptions = {
  appKey: string;
  appSecret: string;
  robotCode: string;
  /** The new API's base (default `https://api.dingtalk.com`); tests: a local fake. */
  apiUrl?: string;
  /** The old API's base (default `https://oapi.dingtalk.com`, or `apiUrl` when that is set). */
  oapiUrl?: string;
  fetch?: typeof fetch;
  now: () => Date;
};

export type DingTalkUser = {
  userid: string;
  name: string;
  jobNumber?: string;
  active: boolean;
  deptIds: number[];
};

export type DingTalkClient = {
  /** The `sessionWebhook` origins Baton will post to (never another host a body names). */
  isSessionWebhook(url: string): boolean;
  replyBySession(url: string, expiresAt: Date | undefined, message: DingTalkMessage): Promise<void>;
  /** A 1:1 message from the app robot to up to 20 people (`oToMessages/batchSend`). */
  sendToUsers(userIds: readonly string[], message: DingTalkMessage): Promise<string>;
  /** A group message from the app robot (`groupMessages/send`). */
  sendToGroup(openConversationId: string, message: DingTalkMessage): Promise<string>;
  /** The legacy custom group robot (alerts), signed when a `SEC…` secret is given. */
  sendCustomRobot(webhook: string, secret: string | undefined, message: DingTalkMessage): Promise<void>;
  /** Every user of the corp, department by department from the root (1). */
  users(): AsyncIterable<DingTalkUser>;
  /** An approval instance (`processinstance/get`): its status, result, starter and form values. */
  approvalInstance(processInstanceId: string): Promise<Json>;
};

export function dingtalkClient(options: DingTalkClientOptions): DingTalkClient {
  const apiUrl = (options.apiUrl ?? "https://api.dingtalk.com").replace(/\/+$/, "");
  const oapiUrl = (options.oapiUrl ?? (options.apiUrl ? apiUrl : "https://oapi.dingtalk.com")).replace(
    /\/+$/,
    "",
  );
  const doFetch: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);
  let token: { value: string; until: number } | undefined;

  async function call(url: string, init: RequestInit): Promise<Json> {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new DingTalkApiError(`DingTalk unreachable: ${(error as Error).message}`, 0);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = {};
    }
    return checkDingTalkAnswer(response.status, body, response.headers);
  }

  async function accessToken(): Promise<string> {
    const now = options.now().getTime();
    if (token && token.until > now) return token.value;
    const query = new URLSearchParams({ appkey: options.appKey, appsecret: options.appSecret });
    const answer = await call(`${oapiUrl}/gettoken?${query}`, { method: "GET" });
    const value = typeof answer.access_token === "string" ? answer.access_token : "";
    if (!value) throw new DingTalkApiError("DingTalk gave no access token", 200);
    const expiresIn = Number(answer.expires_in) > 0 ? Number(answer.expires_in) : 7200;
    token = { value, until: now + Math.max(60, expiresIn - 300) * 1000 };
    return value;
  }

  async function openApi(path: string, body: Json): Promise<Json> {
    return call(`${apiUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-acs-dingtalk-access-token": await accessToken() },
      body: JSON.stringify(body),
    });
  }

  async function oapi(path: string, body: Json): Promise<Json> {
    const query = new URLSearchParams({ access_token: await accessToken() });
    return call(`${oapiUrl}${path}?${query}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  const sessionOrigins = new Set(["https://oapi.dingtalk.com", new URL(oapiUrl).origin]);

  return {
    isSessionWebhook(url) {
      try {
        const parsed = new URL(url);
        return sessionOrigins.has(parsed.origin) && parsed.pathname === "/robot/sendBySession";
      } catch {
        return false;
      }
    },
    async replyBySession(url, expiresAt, message) {
      if (!this.isSessionWebhook(url)) throw new PermanentDeliveryError("not a DingTalk sessionWebhook");
      if (!expiresAt || expiresAt.getTime() <= options.now().getTime() + 5_000)
        throw new SessionWebhookExpiredError();
      await call(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
      });
    },
    async sendToUsers(userIds, message) {
      if (userIds.length === 0 || userIds.length > 20) throw new RangeError("1 to 20 user ids");
      const answer = await openApi("/v1.0/robot/oToMessages/batchSend", {
        robotCode: options.robotCode,
        userIds,
        ...toRobotOpenApiMessage(message),
      });
      const invalid = [
        ...(Array.isArray(answer.invalidStaffIdList) ? answer.invalidStaffIdList : []),
        ...(Array.isArray(answer.flowControlledStaffIdList) ? answer.flowControlledStaffIdList : []),
      ];
      if (Array.isArray(answer.flowControlledStaffIdList) && answer.flowControlledStaffIdList.length > 0)
        throw new RateLimitedError(60, "DingTalk flow control for these people");
      if (invalid.length === userIds.length)
        throw new PermanentDeliveryError("DingTalk does not know these people (invalidStaffIdList)");
      return String(answer.processQueryKey ?? "");
    },
    async sendToGroup(openConversationId, message) {
      const answer = await openApi("/v1.0/robot/groupMessages/send", {
        robotCode: options.robotCode,
        openConversationId,
        ...toRobotOpenApiMessage(message),
      });
      return String(answer.processQueryKey ?? "");
    },
    async sendCustomRobot(webhook, secret, message) {
      const url = secret ? signedRobotWebhookUrl(webhook, secret, options.now()) : webhook;
      await call(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
      });
    },
    async *users() {
      const queue: number[] = [1];
      const seen = new Set<number>();
      while (queue.length > 0) {
        const deptId = queue.shift() as number;
        if (seen.has(deptId)) continue;
        seen.add(deptId);
        const sub = await oapi("/topapi/v2/department/listsubid", { dept_id: deptId });
        const ids = ((sub.result as Json | undefined)?.dept_id_list ?? []) as unknown[];
        for (const id of ids) if (typeof id === "number") queue.push(id);
        let cursor = 0;
        for (let page = 0; page < 1000; page++) {
          const answer = await oapi("/topapi/v2/user/list", { dept_id: deptId, cursor, size: 100 });
          const result = (answer.result ?? {}) as Json;
          for (const raw of (result.list ?? []) as Json[]) {
            if (typeof raw.userid !== "string") continue;
            yield {
              userid: raw.userid,
              name: String(raw.name ?? ""),
              ...(typeof raw.job_number === "string" && raw.job_number !== ""
                ? { jobNumber: raw.job_number }
                : {}),
              active: raw.active !== false,
              deptIds: Array.isArray(raw.dept_id_list) ? (raw.dept_id_list as number[]) : [deptId],
            };
          }
          if (result.has_more !== true) break;
          cursor = Number(result.next_cursor ?? 0);
        }
      }
    },
    async approvalInstance(processInstanceId) {
      const answer = await oapi("/topapi/processinstance/get", { process_instance_id: processInstanceId });
      return (answer.process_instance ?? {}) as Json;
    },
  };
}
