import { createHash } from "node:crypto";
import * as larkSdk from "@larksuiteoapi/node-sdk";
import { and, eq, inArray } from "drizzle-orm";
import type { InboundEvent } from "../../bots/events.ts";
import type { BotOutcome, Reply } from "../../bots/reply.ts";
import type { CardNode } from "../../cards/model.ts";
import { cardForNotification } from "../../cards/templates/notifications.ts";
import { dateInTimeZone } from "../../core/compliance/dates.ts";
import type { EmployeeInput } from "../../core/directory/employee-input.ts";
import { externalIdPattern } from "../../core/directory/employee-input.ts";
import { AppError } from "../../core/errors.ts";
import { translate } from "../../core/messages/index.ts";
import type { NotificationSender, RatePolicy, SenderEntry } from "../../core/notifications/delivery.ts";
import type { Db } from "../../db/client.ts";
import { queueConnectorAction } from "../../db/connectors.ts";
import { type InboxProcessor, markInboundDone, receiveInbound } from "../../db/inbox.ts";
import { getEmployee, upsertEmployee } from "../../db/repositories/directory.ts";
import { employeeIdentities, employees } from "../../db/schema/index.ts";
import { activePlatformPerson } from "../../db/surface-people.ts";
import {
  type LarkCallbackResponse,
  type LarkCard,
  type LarkEvent,
  type LarkSender,
  type LarkToast,
  type LarkUser,
  larkDeliveryError,
  larkSender,
  parseLarkPayload,
  renderCardActionResponse,
  renderLarkCard,
} from "../lark/index.ts";
import { encodeEvent } from "./bot/event-codec.ts";
import { inlineLeaseMs, surfaceEventsProcessor } from "./bot/index.ts";
import { type Config, isSurfaceEnabled } from "./config.ts";
import { boundChannelEntry, joinReferences } from "./posted-memory.ts";
import type { ModuleServices, Services } from "./services.ts";
import {
  type Admission,
  admit,
  bothLanguagesErrorCard,
  bothLanguagesRefusalCard,
} from "./surface-admission.ts";

/**
 * The Feishu / Lark surface wired to Baton (adapters/lark/README.md). `POST /webhooks/lark`
 * (routes/lark.ts) verifies the raw body itself (adapters/lark/verify.ts) and hands the decrypted
 * payload here:
 *
 * - The SDK's `EventDispatcher` (events) and `CardActionHandler` (`card.action.trigger`) dispatch
 *   it, built without an encrypt key or token so they do not re-check what we checked (their own
 *   check hashes re-serialised JSON); their handlers parse the original payload with parse.ts.
 * - Only tenants in `LARK_TENANT_KEYS` are served; an external contact (another tenant's person)
 *   is refused politely (a toast on a click, a card in a 1:1 chat) and nothing is stored.
 * - A message (`im.message.receive_v1`: every 1:1 message, group messages that @ the bot) is stored
 *   in the inbox (`lark:events`, key `message:<message_id>`) before Lark gets its 200 — a
 *   redelivery, even under a new `event_id`, finds the row and does nothing — then the bot
 *   answers by sending (`im.message.create`).
 * - A click goes to the bot at once (the bot stores it in its inbox, key `event:<event_id>`) and is
 *   answered within Lark's 3 s: a toast and the updated card (the bot's `replace`) in the callback
 *   response. Should the bot take longer than {@link LarkRuntimeOptions.ackDeadlineMs}, Lark gets
 *   `{}` and the card is replaced later by `im.message.patch` (`update_multi`).
 * - An approved resignation in Feishu Approval (`approval_instance`, v1 envelope) is stored in the
 *   inbox (`lark:approval`, key `approval:<instance_code>`); its processor reads the instance and
 *   queues an "open case" connector action, idempotent by the instance code.
 */

export const larkEventsSource = "lark:events";
export const larkApprovalSource = "lark:approval";

type Json = Record<string, unknown>;

export type LarkRuntimeOptions = {
  /** How long a click waits for the bot before Lark gets `{}` (default 2.5 s; Lark: 3 s). */
  ackDeadlineMs?: number;
};

export type LarkAnswer = { status: 200; body: Json };

export type LarkRuntime = {
  readonly sender: LarkSender;
  /** Answers one verified, decrypted payload that is not the handshake. */
  handle(payload: Json, proof: { requestSha256: string; signatureHeader?: string }): Promise<LarkAnswer>;
  /** Resolves when every answer still being sent in the background has gone (tests). */
  idle(): Promise<void>;
};

type SenderDeps = Pick<ModuleServices, "config" | "logger">;

const senders = new WeakMap<Config, LarkSender>();
const runtimeOptions = new WeakMap<Config, LarkRuntimeOptions>();
const runtimes = new WeakMap<Services, LarkRuntime>();

/** Options for the Lark runtime of this configuration (tests). Call before the first Lark request. */
export function configureLark(config: Config, options: LarkRuntimeOptions): void {
  runtimeOptions.set(config, options);
}

/** The SDK-backed sender of this configuration, or undefined while Lark is off. */
export function larkSenderOf(services: SenderDeps): LarkSender | undefined {
  const { config, logger } = services;
  if (!isSurfaceEnabled(config, "lark") || !config.LARK_APP_ID || !config.LARK_APP_SECRET) return undefined;
  let sender = senders.get(config);
  if (!sender) {
    sender = larkSender({
      appId: config.LARK_APP_ID,
      appSecret: config.LARK_APP_SECRET,
      ...(config.LARK_DOMAIN ? { domain: config.LARK_DOMAIN.replace(/\/+$/, "") } : {}),
      logger: {
        debug: (fields, message) => logger.debug(fields, message),
        warn: (fields, message) => logger.warn(fields, message),
        error: (fields, message) => logger.error(fields, message),
      },
    });
    senders.set(config, sender);
  }
  return sender;
}

// ---------------------------------------------------------------------------------------------
// Who is served

/** The polite refusal for people Baton does not serve, in both languages (their language is unknown). */
export const larkRefusalCard = bothLanguagesRefusalCard;

/**
 * Whether Baton serves this event: the tenant it was delivered for and the person's own tenant
 * must be in `LARK_TENANT_KEYS`; external contacts are refused.
 */
export function larkAdmission(config: Config, event: LarkEvent): Admission {
  return admit(config.LARK_TENANT_KEYS, event.lark.tenantKey, event.who);
}

// ---------------------------------------------------------------------------------------------
// The runtime

const silentSdkLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

/** The neutral event the bot gets (without the Lark context), with what the route verified. */
function neutral(event: LarkEvent): InboundEvent {
  const { lark: _lark, ...rest } = event;
  return rest as InboundEvent;
}

const toastType: Record<CardNode["header"]["tone"], LarkToast["type"]> = {
  info: "info",
  success: "success",
  warning: "warning",
  danger: "error",
};

const isCard = (r: Reply): r is Exclude<Reply, { type: "options" }> => r.type !== "options";

function createRuntime(services: Services): LarkRuntime {
  const { config, logger, database, clock } = services;
  const options = runtimeOptions.get(config) ?? {};
  const ackDeadlineMs = options.ackDeadlineMs ?? 2500;
  const sender = larkSenderOf(services) as LarkSender;
  const pending = new Set<Promise<unknown>>();

  function track(promise: Promise<unknown>): void {
    const guarded = promise.catch((error: unknown) =>
      logger.error({ surface: "lark", error: (error as Error).name }, "a Lark answer failed"),
    );
    pending.add(guarded);
    guarded.finally(() => pending.delete(guarded));
  }

  const render = (card: CardNode, chatType: "direct" | "group"): LarkCard | undefined => {
    try {
      return renderLarkCard(card, { chatType });
    } catch (error) {
      logger.warn(
        { surface: "lark", reason: (error as Error).message.slice(0, 200) },
        "a card does not fit Lark",
      );
      return undefined;
    }
  };

  async function attempt(what: string, run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      const mapped = larkDeliveryError(error);
      logger.warn(
        { surface: "lark", call: what, error: mapped.name, reason: mapped.message.slice(0, 200) },
        "a Lark answer was not delivered",
      );
      return false;
    }
  }

  const toPerson = async (event: LarkEvent, card: CardNode) => {
    const rendered = render(card, "direct");
    if (rendered) await attempt("direct", () => sender.send(event.who.userId, rendered));
  };

  async function toChat(event: LarkEvent, card: CardNode): Promise<void> {
    const chatId = event.lark.chatId;
    if (!chatId) return toPerson(event, card);
    const rendered = render(card, event.where.chatType);
    if (!rendered || !(await attempt("reply", () => sender.send(chatId, rendered))))
      await toPerson(event, card);
  }

  async function replaceLater(event: LarkEvent, card: CardNode): Promise<void> {
    const messageId = event.lark.messageId;
    const rendered = render(card, event.where.chatType);
    if (messageId && rendered && (await attempt("patch", () => sender.patch(messageId, rendered)))) return;
    await toChat(event, card);
  }

  async function deliver(event: LarkEvent, replies: readonly Reply[]): Promise<void> {
    for (const reply of replies) {
      if (reply.type === "options") continue;
      if (reply.type === "replace") await replaceLater(event, reply.card);
      else if (reply.type === "direct") await toPerson(event, reply.card);
      else await toChat(event, reply.card);
    }
  }

  /**
   * People are matched by the ids an admin controls: the open_id (per app) first, else the
   * union_id or the tenant user_id when that is what is stored for them.
   */
  async function matched(event: LarkEvent): Promise<LarkEvent> {
    const ids = [event.who.userId, event.lark.unionId, event.lark.employeeUserId].filter(
      (id): id is string => id !== undefined && id.length <= 256,
    );
    const rows = await database.db
      .select({ id: employeeIdentities.platformUserId })
      .from(employeeIdentities)
      .where(and(eq(employeeIdentities.platform, "lark"), inArray(employeeIdentities.platformUserId, ids)));
    const found = new Set(rows.map((r) => r.id));
    const hit = ids.find((id) => found.has(id));
    return hit === undefined || hit === event.who.userId
      ? event
      : { ...event, who: { ...event.who, userId: hit } };
  }

  /**
   * A message cannot tell whether its group is shared with another company unless an outsider
   * speaks or is mentioned; before a group can become an HR or finance channel (`bind …` /
   * `绑定 …`) Lark is asked (`im/v1/chats/:id` → `external`). Unknown counts as external.
   */
  async function checkedGroup(event: LarkEvent): Promise<LarkEvent> {
    if (event.type !== "message" || event.where.chatType !== "group" || event.where.external) return event;
    if (!/^\s*(?:bind|绑定)/iu.test(event.text)) return event;
    let external = true;
    try {
      external = await sender.chatIsExternal(event.where.chatId);
    } catch (error) {
      logger.warn(
        { surface: "lark", error: larkDeliveryError(error).name },
        "could not ask Lark about a group",
      );
    }
    return external ? { ...event, where: { ...event.where, external: true } } : event;
  }

  function refuse(event: LarkEvent, ourTenant: boolean): Json {
    logger.info(
      { surface: "lark", kind: event.lark.kind, tenant: event.lark.tenantKey, userTenant: event.who.tenant },
      "Lark request from outside the allowed tenants or an external contact refused",
    );
    if (event.lark.kind === "card-action") {
      return {
        toast: {
          type: "warning",
          content: translate("zh-CN", "bot.external.title"),
          i18n: {
            zh_cn: translate("zh-CN", "bot.external.title"),
            en_us: translate("en", "bot.external.title"),
          },
        },
      };
    }
    if (ourTenant && event.where.chatType === "direct") track(toChat(event, larkRefusalCard()));
    return {};
  }

  async function onMessage(event: LarkEvent): Promise<Json> {
    const verdict = larkAdmission(config, event);
    if (!verdict.ok) return refuse(event, verdict.ours);
    const now = clock.now();
    // Stored before Lark gets its 200: a crash after it loses nothing, a redelivery does nothing.
    const stored = await receiveInbound(database, {
      source: larkEventsSource,
      idempotencyKey: event.idempotencyKey,
      payload: { event: encodeEvent(neutral(event)), dedupeKeys: event.lark.dedupeKeys },
      receivedAt: event.receivedAt,
      notBefore: new Date(now.getTime() + inlineLeaseMs),
    });
    if (stored.duplicate) {
      logger.debug({ surface: "lark", event: event.lark.eventId }, "Lark redelivery; already stored");
      return {};
    }
    track(
      (async () => {
        const person = await checkedGroup(await matched(event));
        const outcome = await services.bot.receive(neutral(person));
        await markInboundDone(database, stored.id, clock.now());
        await deliver(person, outcome.replies);
      })(),
    );
    return {};
  }

  async function onCardAction(event: LarkEvent): Promise<Json> {
    const startedAt = performance.now();
    const verdict = larkAdmission(config, event);
    if (!verdict.ok) return refuse(event, verdict.ours);
    const person = await matched(event);
    // Stored with the clicks of the same moment (group commit) and handled in their batch, when
    // the bot batches; the answer is the bot's card either way.
    const running = (async () => {
      const { bot } = services;
      if (!bot.accept) return bot.receive(neutral(person));
      const accepted = await bot.accept(neutral(person));
      track(accepted.done);
      return accepted.outcome;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const remaining = Math.max(0, ackDeadlineMs - (performance.now() - startedAt));
    let early: { outcome: BotOutcome } | undefined;
    try {
      early = await Promise.race([
        running.then((outcome) => ({ outcome })),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), remaining);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      track(toPerson(person, bothLanguagesErrorCard()));
      logger.error({ surface: "lark", error: (error as Error).name }, "a Lark click failed");
      return { toast: { type: "error", content: translate("zh-CN", "bot.error.title") } };
    }
    if (!early) {
      logger.warn({ surface: "lark" }, "the bot took longer than Lark waits; answering later");
      track(running.then((outcome) => deliver(person, outcome.replies)));
      return {};
    }
    const { outcome } = early;
    if (outcome.duplicate) return {};
    const cards = outcome.replies.filter(isCard);
    const inline = cards.find((r) => r.type === "replace");
    const first = inline ?? cards[0];
    let response: LarkCallbackResponse = {};
    if (first) {
      const toast: LarkToast = { type: toastType[first.card.header.tone], content: first.card.header.title };
      try {
        response = renderCardActionResponse(inline ? { toast, card: inline.card } : { toast }, {
          chatType: person.where.chatType,
        });
      } catch (error) {
        logger.warn(
          { surface: "lark", reason: (error as Error).message.slice(0, 200) },
          "answer does not fit",
        );
        response = renderCardActionResponse({ toast });
      }
    }
    const answered = response.card ? inline : undefined;
    const rest = cards.filter((r) => r !== answered);
    if (rest.length > 0) track(deliver(person, rest));
    return response as Json;
  }

  async function onApproval(payload: Json): Promise<Json> {
    const event = (payload.event ?? {}) as Json;
    const tenant = typeof event.tenant_key === "string" ? event.tenant_key : undefined;
    const code = typeof event.instance_code === "string" ? event.instance_code : undefined;
    const approvalCode = typeof event.approval_code === "string" ? event.approval_code : undefined;
    if (!tenant || !config.LARK_TENANT_KEYS.includes(tenant)) {
      logger.info({ surface: "lark", tenant }, "Lark approval event of another tenant ignored");
      return {};
    }
    if (
      !code ||
      event.status !== "APPROVED" ||
      !config.LARK_RESIGNATION_APPROVAL_CODE ||
      approvalCode !== config.LARK_RESIGNATION_APPROVAL_CODE
    )
      return {};
    const now = clock.now();
    await receiveInbound(database, {
      source: larkApprovalSource,
      idempotencyKey: `approval:${code}`,
      payload: { instanceCode: code, approvalCode, tenantKey: tenant },
      receivedAt: now,
      notBefore: now,
    });
    services.inbox.wake();
    return {};
  }

  return {
    sender,
    async handle(payload, proof) {
      // Feishu Approval still speaks the v1 envelope (`type: event_callback`, `event.type`).
      if (payload.type === "event_callback" && ((payload.event ?? {}) as Json).type === "approval_instance")
        return { status: 200, body: await onApproval(payload) };
      const now = clock.now();
      // Our bot's open_id (asked once); a slow answer must not hold the 3 s: without it, a
      // mention whose mentioned_type is "bot" counts (parse.ts).
      let wait: ReturnType<typeof setTimeout> | undefined;
      const botOpenId = await Promise.race([
        sender.botOpenId(),
        new Promise<undefined>((resolve) => {
          wait = setTimeout(() => resolve(undefined), 1000);
        }),
      ]).finally(() => clearTimeout(wait));
      const parseWith = (): LarkEvent | undefined => {
        const parsed = parseLarkPayload(payload, { now, ...(botOpenId ? { botOpenId } : {}) });
        const [event] = parsed.kind === "events" ? parsed.events : [];
        if (!event) {
          logger.debug(
            { surface: "lark", reason: parsed.kind === "ignored" ? parsed.reason : parsed.kind },
            "Lark request ignored",
          );
          return undefined;
        }
        return { ...event, proof } as LarkEvent;
      };
      // Dispatched by the SDK (no keys: it must not check again what verify.ts checked).
      const header = (payload.header ?? {}) as Json;
      let answer: unknown;
      if (header.event_type === "card.action.trigger") {
        const handler = new larkSdk.CardActionHandler({ logger: silentSdkLogger }, async () => {
          const event = parseWith();
          return event ? onCardAction(event) : {};
        });
        answer = await handler.invoke(payload);
      } else {
        const dispatcher = new larkSdk.EventDispatcher({ logger: silentSdkLogger }).register({
          "im.message.receive_v1": async () => {
            const event = parseWith();
            return event ? onMessage(event) : {};
          },
        });
        answer = await dispatcher.invoke(payload, { needCheck: false });
      }
      return { status: 200, body: answer && typeof answer === "object" ? (answer as Json) : {} };
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** The Lark runtime of these services (built on first use), or undefined while Lark is off. */
export function larkRuntime(services: Services): LarkRuntime | undefined {
  if (!larkSenderOf(services)) return undefined;
  let runtime = runtimes.get(services);
  if (!runtime) {
    runtime = createRuntime(services);
    runtimes.set(services, runtime);
  }
  return runtime;
}

// ---------------------------------------------------------------------------------------------
// Recovery and the approval connector

const larkResignationDate = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return m?.[1];
};

/** The applicant's employee: by a stored Lark identity (open_id, else tenant user_id). */
async function employeeByLarkIds(db: Db, ids: (string | undefined)[]): Promise<string | undefined> {
  const wanted = ids.filter((id): id is string => id !== undefined);
  if (wanted.length === 0) return undefined;
  const rows = await db
    .select({ externalId: employees.externalId, platformUserId: employeeIdentities.platformUserId })
    .from(employees)
    .innerJoin(employeeIdentities, eq(employeeIdentities.employeeId, employees.id))
    .where(and(eq(employeeIdentities.platform, "lark"), inArray(employeeIdentities.platformUserId, wanted)));
  for (const id of wanted) {
    const row = rows.find((r) => r.platformUserId === id);
    if (row) return row.externalId;
  }
  return undefined;
}

/**
 * The inbox processors of the Lark surface:
 *
 * - `lark:events`: a message that was acked but never reached the bot (the process died in
 *   between) goes to the bot's own inbox source, which runs it once;
 * - `lark:approval`: an approved resignation instance is read through the approval API and queued
 *   as an "open case" connector action (the connector job opens the case with the instance code as
 *   its idempotency key; the notice date is the day the application was submitted).
 */
export function larkInboxProcessors(
  services: Pick<ModuleServices, "database" | "clock" | "config" | "logger">,
): InboxProcessor[] {
  return [
    surfaceEventsProcessor(services, larkEventsSource, "lark"),
    {
      source: larkApprovalSource,
      async process(tx: Db, message) {
        const sender = larkSenderOf(services);
        if (!sender) throw new AppError("not_found", "Lark is not enabled.");
        const { instanceCode } = (message.payload ?? {}) as { instanceCode?: string };
        if (!instanceCode)
          throw new AppError("bad_request", "The stored approval event has no instance code.");
        const instance = await sender.approvalInstance(instanceCode);
        if (
          instance.status !== "APPROVED" ||
          instance.approvalCode !== services.config.LARK_RESIGNATION_APPROVAL_CODE
        ) {
          services.logger.info(
            { surface: "lark", status: instance.status },
            "approval instance not a resignation",
          );
          return;
        }
        const employeeExternalId = await employeeByLarkIds(tx, [instance.openId, instance.userId]);
        if (!employeeExternalId) {
          throw new AppError(
            "unprocessable",
            "The applicant of the approval has no Lark identity in the directory.",
          );
        }
        const submitted = new Date(instance.startTime ?? message.receivedAt.getTime());
        const noticeDate = dateInTimeZone(submitted, services.config.BATON_TIMEZONE);
        const lastDay = instance.form
          .filter((w) => w.type === "date" || w.type === "dateInterval")
          .map((w) => larkResignationDate(w.value))
          .find((d) => d !== undefined);
        const reason = instance.form.find((w) => w.type === "textarea" && typeof w.value === "string")?.value;
        await queueConnectorAction(tx, {
          kind: "open-case",
          system: "lark",
          inboxId: message.id,
          webhookId: `lark-approval:${instance.instanceCode}`,
          payload: {
            employeeExternalId,
            noticeDate,
            ...(lastDay && lastDay >= noticeDate ? { requestedLastDay: lastDay } : {}),
            ...(typeof reason === "string" && reason.trim() ? { reason: reason.trim().slice(0, 2000) } : {}),
          },
          now: services.clock.now(),
        });
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Directory sync

export type LarkSyncReport = {
  people: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: { openId: string; reason: "no_employee_no" | "resigned" | "invalid_id" }[];
};

/**
 * Reads every person the app can see through the contacts API and upserts them into the directory:
 * the employee id is Lark's `employee_no` (set by an admin), the Lark identity is the open_id, the
 * name and work e-mail come along, the manager follows `leader_user_id` when the leader is synced
 * too. People without an `employee_no` are reported, not guessed; resigned people are skipped
 * (leaving is a case, not a sync). Other fields of an existing employee stay as they are.
 */
export async function larkDirectorySync(
  services: Pick<ModuleServices, "config" | "logger" | "database" | "keys" | "clock">,
  actor: string,
): Promise<LarkSyncReport> {
  const sender = larkSenderOf(services);
  if (!sender) throw new AppError("not_found", "Lark is not enabled.", { messageKey: "error.not_found" });
  const people: LarkUser[] = [];
  for await (const user of sender.users()) people.push(user);
  const report: LarkSyncReport = { people: people.length, created: 0, updated: 0, unchanged: 0, skipped: [] };
  const byOpenId = new Map(people.map((p) => [p.openId, p]));
  const eligible = people.filter((p) => {
    if (p.resigned) report.skipped.push({ openId: p.openId, reason: "resigned" });
    else if (!p.employeeNo) report.skipped.push({ openId: p.openId, reason: "no_employee_no" });
    else if (!externalIdPattern.test(p.employeeNo))
      report.skipped.push({ openId: p.openId, reason: "invalid_id" });
    else return true;
    return false;
  });
  // Managers first, so each manager exists when their reports are written.
  const ordered: LarkUser[] = [];
  const placed = new Set<string>();
  const place = (p: LarkUser, depth = 0) => {
    if (placed.has(p.openId) || depth > 50) return;
    const leader = p.leaderOpenId ? byOpenId.get(p.leaderOpenId) : undefined;
    if (leader && eligible.includes(leader)) place(leader, depth + 1);
    placed.add(p.openId);
    ordered.push(p);
  };
  for (const p of eligible) place(p);
  const master = services.keys.encryption;
  const now = services.clock.now();
  await services.database.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    for (const p of ordered) {
      const externalId = p.employeeNo as string;
      const leader = p.leaderOpenId ? byOpenId.get(p.leaderOpenId) : undefined;
      const managerExternalId = leader && eligible.includes(leader) ? leader.employeeNo : undefined;
      let current: Awaited<ReturnType<typeof getEmployee>> | undefined;
      try {
        current = await getEmployee(tx, master, externalId);
      } catch {
        current = undefined;
      }
      const input: EmployeeInput = current
        ? {
            name: p.name,
            email: p.email ?? current.email,
            locale: current.locale === "en" ? "en" : "zh-CN",
            jurisdiction: current.jurisdiction,
            timeZone: current.timeZone,
            entity: current.entity,
            department: current.department,
            role: current.role,
            position: current.position,
            managerExternalId: managerExternalId ?? current.managerExternalId,
            functions: current.functions as EmployeeInput["functions"],
            status: current.status as EmployeeInput["status"],
            hireDate: current.hireDate,
            serviceStartDate: current.serviceStartDate,
            probationEndDate: current.probationEndDate,
            contractType: current.contractType as EmployeeInput["contractType"],
            contractStartDate: current.contractStartDate,
            contractEndDate: current.contractEndDate,
            identities: { lark: p.openId },
          }
        : {
            name: p.name,
            email: p.email ?? null,
            locale: "zh-CN",
            jurisdiction: "CN",
            timeZone: services.config.BATON_TIMEZONE,
            managerExternalId: managerExternalId ?? null,
            functions: [],
            status: "active",
            identities: { lark: p.openId },
          };
      const result = await upsertEmployee(tx, master, externalId, input, actor, now);
      if (result.created) report.created += 1;
      else if (result.changed.length > 0) report.updated += 1;
      else report.unchanged += 1;
    }
  });
  return report;
}

// ---------------------------------------------------------------------------------------------
// Notifications

/** Lark allows 5 messages a second to one user and per group (reference §A5). */
export const larkPersonRate: RatePolicy = { ratePerSecond: 4, burst: 5 };
export const larkChannelRate: RatePolicy = { ratePerSecond: 4, burst: 5 };

type NotifyDeps = Pick<ModuleServices, "config" | "logger" | "database">;

/** Lark's own idempotency key (`uuid`, ≤ 50 chars, honoured for an hour) for one message to one target. */
function uuidOf(outboxIds: string, target: string): string {
  return createHash("sha256").update(`${outboxIds}|${target}`).digest("hex").slice(0, 40);
}

/**
 * The `person` sender with Lark behind `next`: `next` delivers first, then a person with a stored
 * Lark identity (open_id, union_id or user_id — the receive id type follows the id) gets the
 * notification's card as a 1:1 message through the SDK. A failure throws the mapped error (429 and
 * rate-limit codes → retry later; permanent codes → dead, with an HR alert); Lark's `uuid` keeps a
 * retry within the hour from posting twice. While Lark is off this is `next` itself.
 */
export function larkPersonEntry(services: NotifyDeps, next: SenderEntry): SenderEntry {
  const sender = larkSenderOf(services);
  if (!sender) return next;
  const db = services.database.db;
  const send: NotificationSender["send"] = async (message) => {
    const result = await next.sender.send(message);
    if (message.recipient.type !== "person") return result;
    const person = await activePlatformPerson(db, message.recipient.principal, "lark");
    if (!person) return result;
    const card = cardForNotification(message.kind, message.data, { locale: person.locale, t: translate });
    let sent: { messageId: string };
    try {
      sent = await sender.send(person.userId, renderLarkCard(card, { chatType: "direct" }), {
        uuid: uuidOf(message.items.map((i) => i.outboxId).join(","), person.userId),
      });
    } catch (error) {
      throw larkDeliveryError(error);
    }
    return { reference: joinReferences(result.reference, `lark:${sent.messageId}`) } as {
      reference?: string;
    };
  };
  return { sender: { send }, rate: larkPersonRate };
}

/** The `channel` sender: every bound Lark group after `next` (the recording fan-out). */
export function larkChannelEntry(services: NotifyDeps, next: SenderEntry): SenderEntry {
  const sender = larkSenderOf(services);
  if (!sender) return next;
  return boundChannelEntry({
    db: services.database.db,
    platform: "lark",
    rate: larkChannelRate,
    next,
    async post(channelId, card, message) {
      try {
        const sent = await sender.send(channelId, renderLarkCard(card, { chatType: "group" }), {
          uuid: uuidOf(message.items.map((i) => i.outboxId).join(","), channelId),
        });
        return `lark:${sent.messageId}`;
      } catch (error) {
        throw larkDeliveryError(error);
      }
    },
  });
}
