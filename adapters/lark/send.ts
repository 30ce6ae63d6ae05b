/**
 * Sending to Feishu / Lark through the official SDK's `Client` (@larksuiteoapi/node-sdk ≥ 1.73.2:
 * earlier builds mistake a port in `LARK_DOMAIN` for a path argument, larksuite/node-sdk#220).
 * shared/reference/lark-dingtalk.md §A3–A5.
 *
 * - `send` → `im.message.create` (`POST /open-apis/im/v1/messages?receive_id_type=…`), the card as
 *   the JSON string `content`, an optional `uuid` as Lark's own idempotency key (1 hour);
 * - `patch` → `im.message.patch` (`PATCH /open-apis/im/v1/messages/:id`): the whole new card, both
 *   cards `update_multi: true` (render.ts always sets it), within 14 days;
 * - `delayedUpdate` → `POST /open-apis/interactive/v1/card/update` with a click's card token;
 * - the contacts API (`contact.department.children`, `contact.user.findByDepartment`) and the
 *   approval API (`approval.instance.get`) for the connectors.
 *
 * The tenant_access_token is the SDK's: it fetches `POST /open-apis/auth/v3/tenant_access_token/internal`
 * and caches it until shortly before it expires — in a cache of this sender's own (the SDK's default
 * cache is process-wide and keyed by app id only, so two configurations pointing at two servers
 * would share a token).
 *
 * Errors: the SDK throws axios errors for HTTP ≥ 400 and returns `{ code, msg }` for a refused call
 * answered 200. {@link larkDeliveryError} maps both: HTTP 429 or a rate-limit code → {@link RateLimitedError},
 * codes that cannot pass on a retry → {@link PermanentDeliveryError}, anything else → {@link LarkTransientError}.
 */

import * as lark from "@larksuiteoapi/node-sdk";
import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import { type Json, str } from "../shared/json.ts";
import type { LarkCard } from "./render.ts";

/** A failure worth retrying (network, 5xx, an expired token). */
export class LarkTransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LarkTransientError";
  }
}

/** A call Lark refused with a business code (`code` ≠ 0). */
export class LarkApiError extends Error {
  readonly code: number;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: number, message: string, status?: number, retryAfterSeconds?: number) {
    super(message);
    this.name = "LarkApiError";
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Throttling: 99991400 (app-level frequency limit), 230020 (per chat / per user), 11232 and 11233
 * (tenant-level message service), 230031 is not one (14-day window) — reference §A5.
 */
export const larkRateLimitCodes: ReadonlySet<number> = new Set([99991400, 230020, 11232, 11233]);

/**
 * Codes no retry will fix: bad ids or content, the bot not in the chat or the user outside the
 * app's scope, a message too old / recalled / not ours to patch, a card too large or malformed,
 * the app's credentials wrong.
 */
export const larkPermanentCodes: ReadonlySet<number> = new Set([
  10003, 10014, 99992361, 99992402, 230001, 230002, 230006, 230011, 230013, 230017, 230025, 230027, 230031,
  230035, 230099, 230110, 200621, 300090,
]);

/** Lark's answer of a 429 (`x-ogw-ratelimit-reset`, seconds) or a standard Retry-After. */
function retryAfterOf(headers: unknown): number | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const h = headers as Record<string, unknown>;
  for (const name of ["x-ogw-ratelimit-reset", "retry-after"]) {
    const value = h[name];
    if (typeof value === "string" && /^\d+$/.test(value.trim())) return Number(value);
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return undefined;
}

function fromCode(code: number, message: string, retryAfter?: number): Error {
  if (larkRateLimitCodes.has(code)) return new RateLimitedError(retryAfter, `Lark: rate limited (${code})`);
  if (larkPermanentCodes.has(code)) return new PermanentDeliveryError(`Lark refused: ${code} ${message}`);
  return new LarkTransientError(`Lark failed: ${code} ${message}`);
}

/** Any error of a Lark call → RateLimitedError / PermanentDeliveryError / LarkTransientError. */
export function larkDeliveryError(error: unknown): Error {
  if (
    error instanceof RateLimitedError ||
    error instanceof PermanentDeliveryError ||
    error instanceof LarkTransientError
  )
    return error;
  if (error instanceof LarkApiError) {
    if (error.status === 429) return new RateLimitedError(error.retryAfterSeconds, "Lark: HTTP 429");
    return fromCode(error.code, error.message, error.retryAfterSeconds);
  }
  const e = error as { response?: { status?: unknown; data?: unknown; headers?: unknown } } | null;
  const status = typeof e?.response?.status === "number" ? e.response.status : undefined;
  if (status !== undefined) {
    const retryAfter = retryAfterOf(e?.response?.headers);
    if (status === 429) return new RateLimitedError(retryAfter, "Lark: HTTP 429");
    const data = (e?.response?.data ?? {}) as Json;
    if (typeof data.code === "number" && data.code !== 0)
      return fromCode(data.code, typeof data.msg === "string" ? data.msg : "", retryAfter);
    if (status >= 500) return new LarkTransientError(`Lark: HTTP ${status}`);
    if (status === 401 || status === 403) return new PermanentDeliveryError(`Lark: HTTP ${status}`);
    return new PermanentDeliveryError(`Lark: HTTP ${status}`);
  }
  return new LarkTransientError(
    `Lark could not be reached (${error instanceof Error ? error.name : "error"})`,
  );
}

/** `ou_…` → open_id, `on_…` → union_id, `oc_…` → chat_id, an e-mail → email, else the tenant user_id. */
export type ReceiveIdType = "open_id" | "union_id" | "chat_id" | "user_id" | "email";
export function larkReceiveIdType(id: string): ReceiveIdType {
  if (id.startsWith("ou_")) return "open_id";
  if (id.startsWith("on_")) return "union_id";
  if (id.startsWith("oc_")) return "chat_id";
  if (id.includes("@")) return "email";
  return "user_id";
}

export type LarkSent = { messageId: string; chatId?: string };

/** One person of the contacts API, as the directory sync needs them. */
export type LarkUser = {
  openId: string;
  unionId?: string;
  userId?: string;
  name: string;
  email?: string;
  employeeNo?: string;
  /** The leader's open_id (we ask for open ids). */
  leaderOpenId?: string;
  resigned: boolean;
  activated: boolean;
};

/** An approval instance (`GET /open-apis/approval/v4/instances/:code`), as the connector needs it. */
export type LarkApprovalInstance = {
  instanceCode: string;
  approvalCode: string;
  status: string;
  /** The applicant's open_id and tenant user_id. */
  openId?: string;
  userId?: string;
  /** When it was submitted and when it ended (ms since the epoch). */
  startTime?: number;
  endTime?: number;
  /** The form's widgets (`form` is a JSON string in Lark's answer). */
  form: { id?: string; name?: string; type?: string; value?: unknown }[];
};

export type LarkSender = {
  send(receiveId: string, card: LarkCard, options?: { uuid?: string }): Promise<LarkSent>;
  patch(messageId: string, card: LarkCard): Promise<void>;
  delayedUpdate(cardToken: string, card: LarkCard): Promise<void>;
  /** Our bot's open_id (`GET /open-apis/bot/v3/info`). */
  botOpenId(): Promise<string | undefined>;
  /** Every person the app can see (all departments, recursively). */
  users(): AsyncIterable<LarkUser>;
  approvalInstance(instanceCode: string): Promise<LarkApprovalInstance>;
  /** Whether a group is shared with another company (`GET /open-apis/im/v1/chats/:chat_id` → `external`). */
  chatIsExternal(chatId: string): Promise<boolean>;
};

export type LogSink = {
  debug(fields: Json, message: string): void;
  warn(fields: Json, message: string): void;
  error(fields: Json, message: string): void;
};

export type LarkSenderOptions = {
  appId: string;
  appSecret: string;
  /** `https://open.feishu.cn` (default), `https://open.larksuite.com`, or a local fake in tests. */
  domain?: string;
  logger?: LogSink;
  /** How long one call may take before it counts as a transient failure (default 10 s). */
  timeoutMs?: number;
};

/** A cache of this sender's own for the SDK's token manager. */
function ownCache(): lark.Cache {
  const values = new Map<string, { value: unknown; expiresAt: number }>();
  const key = (k: unknown, namespace?: string) => `${namespace ?? ""}|${String(k)}`;
  return {
    async set(k, value, expire, options) {
      values.set(key(k, options?.namespace), { value, expiresAt: expire ?? Number.POSITIVE_INFINITY });
      return true;
    },
    async get(k, options) {
      const hit = values.get(key(k, options?.namespace));
      if (!hit) return undefined;
      if (hit.expiresAt <= Date.now()) {
        values.delete(key(k, options?.namespace));
        return undefined;
      }
      return hit.value;
    },
  };
}

/** The SDK's logger, quiet (its errors include request configs with the Authorization header). */
function sdkLogger(sink: LogSink | undefined) {
  const line =
    (level: "debug" | "warn" | "error") =>
    (...messages: unknown[]) => {
      const first = messages[0];
      const text = typeof first === "string" ? first : first instanceof Error ? first.message : "sdk";
      sink?.[level]({ surface: "lark" }, `lark sdk: ${text.slice(0, 120)}`);
    };
  return {
    error: line("error"),
    warn: line("warn"),
    info: line("debug"),
    debug: line("debug"),
    trace: () => {},
  };
}

/** `{ code, msg, data }` → data, or a LarkApiError. */
function dataOf<T>(answer: unknown): T {
  const a = (answer ?? {}) as { code?: unknown; msg?: unknown; data?: unknown };
  if (typeof a.code === "number" && a.code !== 0)
    throw new LarkApiError(a.code, typeof a.msg === "string" ? a.msg : "", 200);
  return (a.data ?? {}) as T;
}

/** The SDK `Client` behind {@link LarkSender}. */
export function larkSender(options: LarkSenderOptions): LarkSender {
  const client = new lark.Client({
    appId: options.appId,
    appSecret: options.appSecret,
    appType: lark.AppType.SelfBuild,
    domain: options.domain ?? lark.Domain.Feishu,
    cache: ownCache(),
    logger: sdkLogger(options.logger),
    loggerLevel: lark.LoggerLevel.warn,
  });
  let botOpenId: Promise<string | undefined> | undefined;

  const timeoutMs = options.timeoutMs ?? 10_000;

  /** One SDK call: its answer's `data`, or a mapped error (also when Lark does not answer in time). */
  async function call<T>(run: () => Promise<unknown>): Promise<T> {
    let answer: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      answer = await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new LarkTransientError("Lark did not answer in time")), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      throw larkDeliveryError(error);
    }
    try {
      return dataOf<T>(answer);
    } catch (error) {
      throw larkDeliveryError(error);
    }
  }

  return {
    async send(receiveId, card, sendOptions = {}) {
      const data = await call<{ message_id?: string; chat_id?: string }>(() =>
        client.im.message.create({
          params: { receive_id_type: larkReceiveIdType(receiveId) },
          data: {
            receive_id: receiveId,
            msg_type: "interactive",
            content: JSON.stringify(card),
            ...(sendOptions.uuid ? { uuid: sendOptions.uuid.slice(0, 50) } : {}),
          },
        }),
      );
      const messageId = str(data.message_id);
      if (!messageId) throw new LarkTransientError("Lark answered without a message_id");
      const chatId = str(data.chat_id);
      return { messageId, ...(chatId ? { chatId } : {}) };
    },
    async patch(messageId, card) {
      await call(() =>
        client.im.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(card) } }),
      );
    },
    async delayedUpdate(cardToken, card) {
      await call(() =>
        client.request({
          method: "POST",
          url: "/open-apis/interactive/v1/card/update",
          data: { token: cardToken, card },
        }),
      );
    },
    botOpenId() {
      if (!botOpenId) {
        // `bot/v3/info` answers `{ code, bot: {...} }` (no `data`): read it directly.
        botOpenId = (async () => {
          try {
            const answer = (await client.request({ method: "GET", url: "/open-apis/bot/v3/info" })) as Json;
            if (typeof answer.code === "number" && answer.code !== 0) return undefined;
            return str(((answer.bot ?? {}) as Json).open_id);
          } catch {
            return undefined;
          }
        })();
        botOpenId.then((id) => {
          if (id === undefined) botOpenId = undefined;
        });
      }
      return botOpenId;
    },
    async *users() {
      const departments = ["0"];
      let pageToken: string | undefined;
      do {
        const page = await call<{ items?: Json[]; has_more?: boolean; page_token?: string }>(() =>
          client.contact.department.children({
            path: { department_id: "0" },
            params: {
              department_id_type: "open_department_id",
              fetch_child: true,
              page_size: 50,
              ...(pageToken ? { page_token: pageToken } : {}),
            },
          }),
        );
        for (const d of page.items ?? []) {
          const id = str(d.open_department_id);
          if (id) departments.push(id);
        }
        pageToken = page.has_more ? str(page.page_token) : undefined;
      } while (pageToken);
      const seen = new Set<string>();
      for (const department of departments) {
        let token: string | undefined;
        do {
          const page = await call<{ items?: Json[]; has_more?: boolean; page_token?: string }>(() =>
            client.contact.user.findByDepartment({
              params: {
                user_id_type: "open_id",
                department_id_type: "open_department_id",
                department_id: department,
                page_size: 50,
                ...(token ? { page_token: token } : {}),
              },
            }),
          );
          for (const u of page.items ?? []) {
            const openId = str(u.open_id);
            if (!openId || seen.has(openId)) continue;
            seen.add(openId);
            const status = (u.status ?? {}) as Json;
            const email = str(u.enterprise_email) ?? str(u.email);
            const unionId = str(u.union_id);
            const userId = str(u.user_id);
            const employeeNo = str(u.employee_no);
            const leader = str(u.leader_user_id);
            yield {
              openId,
              ...(unionId ? { unionId } : {}),
              ...(userId ? { userId } : {}),
              name: str(u.name) ?? openId,
              ...(email ? { email } : {}),
              ...(employeeNo ? { employeeNo } : {}),
              ...(leader ? { leaderOpenId: leader } : {}),
              resigned: status.is_resigned === true,
              activated: status.is_activated !== false,
            };
          }
          token = page.has_more ? str(page.page_token) : undefined;
        } while (token);
      }
    },
    async chatIsExternal(chatId) {
      const data = await call<Json>(() => client.im.chat.get({ path: { chat_id: chatId } }));
      return data.external !== false;
    },
    async approvalInstance(instanceCode) {
      const data = await call<Json>(() =>
        client.approval.instance.get({
          path: { instance_id: instanceCode },
          params: { user_id_type: "open_id" },
        }),
      );
      let form: LarkApprovalInstance["form"] = [];
      const rawForm = str(data.form);
      if (rawForm) {
        try {
          const parsed: unknown = JSON.parse(rawForm);
          if (Array.isArray(parsed)) form = parsed as LarkApprovalInstance["form"];
        } catch {
          throw new PermanentDeliveryError("Lark approval form is not JSON");
        }
      }
      const openId = str(data.open_id);
      const userId = str(data.user_id);
      const startTime = Number(data.start_time);
      const endTime = Number(data.end_time);
      return {
        instanceCode: str(data.instance_code) ?? instanceCode,
        approvalCode: str(data.approval_code) ?? "",
        status: str(data.status) ?? "",
        ...(openId ? { openId } : {}),
        ...(userId ? { userId } : {}),
        ...(Number.isFinite(startTime) && startTime > 0 ? { startTime } : {}),
        ...(Number.isFinite(endTime) && endTime > 0 ? { endTime } : {}),
        form,
      };
    },
  };
}
