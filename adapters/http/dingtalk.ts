import { createHash, randomInt } from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ActionEvent, FormValues, InboundEvent, MessageEvent } from "../../bots/events.ts";
import type { Reply } from "../../bots/reply.ts";
import { fallbackText } from "../../cards/fallback-text.ts";
import { Card, type CardNode, Text, walk } from "../../cards/model.ts";
import { cardForNotification } from "../../cards/templates/notifications.ts";
import { AppError } from "../../core/errors.ts";
import { type Locale, negotiateLocale, translate } from "../../core/messages/index.ts";
import {
  type NotificationSender,
  type OutgoingMessage,
  RateLimitedError,
  type SenderEntry,
  type SendResult,
} from "../../core/notifications/delivery.ts";
import type { TickJob } from "../../core/ports.ts";
import type { Db } from "../../db/client.ts";
import { NoChannelBoundError } from "../../db/delivery-sink.ts";
import {
  dingtalkCallbackPairs,
  dingtalkConfirmCodes,
  employeeIdentities,
  employees,
} from "../../db/schema/index.ts";
import { activePlatformPerson, localeOfPrincipal } from "../../db/surface-people.ts";
import type { DingTalkEvent } from "../dingtalk/parse.ts";
import {
  type DingTalkMessage,
  escapeDingTalkMarkdown,
  type LinkFor,
  renderCustomRobotMessage,
  renderDingTalkMessage,
} from "../dingtalk/render.ts";
import { type DingTalkClient, dingtalkClient, SessionWebhookExpiredError } from "../dingtalk/send.ts";
import type { DingTalkVerified } from "../dingtalk/verify.ts";
import { type Config, isSurfaceEnabled } from "./config.ts";
import { dingtalkText } from "./dingtalk-texts.ts";
import type { LinkAction, LinkActionContext, LinkActionOutcome } from "./links/actions.ts";
import { joinReferences, PostedMemory, postToBoundChannels } from "./posted-memory.ts";
import type { ModuleServices, Services } from "./services.ts";
import { type Admission, admit, bothLanguagesCard } from "./surface-admission.ts";

/**
 * The DingTalk surface wired to Baton (adapters/dingtalk/README.md). Decisions:
 *
 * - The robot callback's `timestamp`/`sign` does not cover the body: each pair is remembered
 *   (table `dingtalk_callback_pairs`, one hour) with the body's SHA-256 — the same pair and body
 *   again is a redelivery (200, nothing done), the pair with another body a replay (401). The
 *   bot's inbox de-duplicates a redelivered `msgId` under a new pair. A robot in Stream mode
 *   skips this (its frames come over Baton's own authenticated WebSocket) and takes the same path
 *   from the parse on through `acceptDingTalkEvent` (adapters/http/dingtalk-stream.ts).
 * - Only corps in `DINGTALK_CORP_IDS`: a robot of another corp → 403; a sender from outside the
 *   corp (external contact, another corp in a shared group) gets a polite refusal.
 * - Answers: plain (markdown) ones through the message's `sessionWebhook` while it is fresh (and
 *   only to DingTalk's own host: a body could name any URL), else through the app robot OpenAPI
 *   (1:1 `oToMessages/batchSend`, groups `groupMessages/send`). A card with buttons always goes
 *   to the person's 1:1 chat through the OpenAPI: its links act in that person's name.
 * - Buttons and forms become signed `/a/:token` links bound to the person (`dingtalk.action`);
 *   the page asks for the form's inputs and its POST hands the click to the bot once. Signing
 *   and privileged commands use `dingtalk.confirm`: a one-time code goes to the person's 1:1 chat
 *   through the OpenAPI (never to a `sessionWebhook` a body named), the page asks for it, and
 *   only then the action runs — as a person the surface authenticated itself (`who.principal`),
 *   which is what lets `bind` / `cases` through (bots/actions/privileged.ts) — and a fresh web
 *   session is opened.
 */

type Json = Record<string, unknown>;

export const dingtalkActionPurpose = "dingtalk.action";
export const dingtalkConfirmPurpose = "dingtalk.confirm";
/** Actions that need a fresh login on DingTalk: signing, and the privileged command confirmation. */
export const confirmActions: ReadonlySet<string> = new Set(["agreement.sign", "privileged.confirm"]);
/** How long a button's link works. */
export const actionLinkSeconds = 7 * 24 * 3600;
/** How long a confirmation link and its code work. */
export const confirmLinkSeconds = 15 * 60;

export type DingTalkOptions = { fetch?: typeof fetch };

const optionsOf = new WeakMap<Config, DingTalkOptions>();
const clients = new WeakMap<Config, DingTalkClient>();

/** Tests: a loopback-only fetch. Call before the first DingTalk call of this configuration. */
export function configureDingTalk(config: Config, options: DingTalkOptions): void {
  optionsOf.set(config, options);
}

/** The OpenAPI client of this configuration, or undefined while DingTalk is off. */
export function dingtalkClientOf(
  services: Pick<ModuleServices, "config" | "clock">,
): DingTalkClient | undefined {
  const { config, clock } = services;
  if (!isSurfaceEnabled(config, "dingtalk")) return undefined;
  let client = clients.get(config);
  if (!client) {
    client = dingtalkClient({
      appKey: config.DINGTALK_APP_KEY as string,
      appSecret: config.DINGTALK_APP_SECRET as string,
      robotCode: config.DINGTALK_ROBOT_CODE as string,
      ...(config.DINGTALK_API_URL ? { apiUrl: config.DINGTALK_API_URL } : {}),
      fetch: (input, init) => (optionsOf.get(config)?.fetch ?? globalThis.fetch)(input, init),
      now: () => clock.now(),
    });
    clients.set(config, client);
  }
  return client;
}

// ---------------------------------------------------------------------------------------------
// Replay memory

export type PairVerdict = "fresh" | "redelivery" | "replay";

/** Remembers a verified pair with the body's hash: first use, the same body again, or another body. */
export async function rememberCallbackPair(
  db: Db,
  verified: Pick<DingTalkVerified, "replayKey" | "rememberUntil">,
  body: string,
  now: Date,
): Promise<PairVerdict> {
  const bodySha256 = createHash("sha256").update(body, "utf8").digest("hex");
  await db.delete(dingtalkCallbackPairs).where(lt(dingtalkCallbackPairs.expiresAt, now));
  const inserted = await db
    .insert(dingtalkCallbackPairs)
    .values({ replayKey: verified.replayKey, bodySha256, expiresAt: verified.rememberUntil })
    .onConflictDoNothing()
    .returning({ key: dingtalkCallbackPairs.replayKey });
  if (inserted.length > 0) return "fresh";
  const [row] = await db
    .select({ bodySha256: dingtalkCallbackPairs.bodySha256 })
    .from(dingtalkCallbackPairs)
    .where(eq(dingtalkCallbackPairs.replayKey, verified.replayKey));
  return row?.bodySha256 === bodySha256 ? "redelivery" : "replay";
}

// ---------------------------------------------------------------------------------------------
// Who is served

/** The robot's corp and the sender's must be in `DINGTALK_CORP_IDS`; outsiders are refused. */
export function dingtalkAdmission(config: Config, event: DingTalkEvent): Admission {
  const robotCorp = event.dingtalk.chatbotCorpId ?? event.who.tenant;
  return admit(config.DINGTALK_CORP_IDS, robotCorp, event.who, event.where.external === true);
}

/** The polite refusal, in both languages (the person's language is not known). */
export const dingtalkRefusalCard = () =>
  bothLanguagesCard({ title: "dingtalk.refused.title", body: "dingtalk.refused.body" }, "info");

// ---------------------------------------------------------------------------------------------
// People

// ---------------------------------------------------------------------------------------------
// Links for buttons and forms

/** Where the answer to a link's action goes, and who acts. */
export type Place = { chatId: string; chatType: "direct" | "group"; staffId: string };

type LinkInput =
  | { k: "text"; id: string; label: string; required: boolean; multiline: boolean }
  | { k: "date"; id: string; label: string; required: boolean }
  | {
      k: "choice";
      id: string;
      label: string;
      required: boolean;
      multiple: boolean;
      options: [string, string][];
    };

/** The card's inputs as a link page asks for them (a remote person picker: type an employee id). */
function inputsOf(card: CardNode): LinkInput[] {
  const out: LinkInput[] = [];
  for (const node of card.children) {
    switch (node.type) {
      case "text-input":
        out.push({
          k: "text",
          id: node.id,
          label: node.label,
          required: node.required,
          multiline: node.multiline,
        });
        break;
      case "date-input":
        out.push({ k: "date", id: node.id, label: node.label, required: node.required });
        break;
      case "choice-input":
        out.push({
          k: "choice",
          id: node.id,
          label: node.label,
          required: node.required,
          multiple: node.multiple,
          options: node.options.map((o) => [o.value, o.label]),
        });
        break;
      case "person-input":
        if (node.options.length > 0 && node.search.mode === "local")
          out.push({
            k: "choice",
            id: node.id,
            label: node.label,
            required: node.required,
            multiple: node.multiple,
            options: node.options.map((o) => [o.value, o.label]),
          });
        else
          out.push({ k: "text", id: node.id, label: node.label, required: node.required, multiline: false });
        break;
      default:
    }
  }
  return out;
}

const linkKey = (action: string, value: string | undefined) => `${action}\u0000${value ?? ""}`;
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

type LinkDeps = Pick<ModuleServices, "config" | "clock" | "logger" | "linkTokens">;

/**
 * Mints the links of a card's buttons and submits, bound to `principal` (async: `linkFor` is
 * synchronous). A confirmation link also gets its one-time code, stored (hashed) over `db` and
 * sent to the person's 1:1 chat.
 */
export async function linksFor(
  services: LinkDeps,
  db: Db,
  principal: string,
  place: Place,
  card: CardNode,
): Promise<LinkFor> {
  const minted = new Map<string, string>();
  const inputs = inputsOf(card);
  for (const node of walk(card)) {
    if (node.type !== "button" && node.type !== "submit") continue;
    const key = linkKey(node.action, node.value);
    if (minted.has(key)) continue;
    const confirm = confirmActions.has(node.action);
    const data: Json = {
      a: node.action,
      ...(node.value !== undefined ? { v: node.value } : {}),
      l: node.label,
      c: place.chatId,
      t: place.chatType,
      s: place.staffId,
      // A click sends the card's inputs too (a checklist's "complete" with what is ticked).
      ...(inputs.length > 0 ? { i: inputs } : {}),
    };
    const issued = await services.linkTokens.issue({
      principal,
      purpose: confirm ? dingtalkConfirmPurpose : dingtalkActionPurpose,
      ttlSeconds: confirm ? confirmLinkSeconds : actionLinkSeconds,
      data,
    });
    if (confirm) await sendCode(services, db, principal, place.staffId, issued, node.label);
    minted.set(key, issued.url);
  }
  return (action, value) => {
    const url = minted.get(linkKey(action, value));
    if (!url) throw new Error(`no link minted for ${action}`);
    return url;
  };
}

async function sendCode(
  services: LinkDeps,
  db: Db,
  principal: string,
  staffId: string,
  issued: { jti: string; expiresAt: Date },
  label: string,
): Promise<void> {
  const client = dingtalkClientOf(services);
  if (!client) throw new AppError("not_found", "DingTalk is not enabled.", { messageKey: "error.not_found" });
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  await db.insert(dingtalkConfirmCodes).values({
    jti: issued.jti,
    principal,
    codeSha256: sha256(`${issued.jti}:${code}`),
    expiresAt: issued.expiresAt,
  });
  const locale = await localeOfPrincipal(db, principal);
  const text = dingtalkText(locale, "code.body", {
    code,
    label: escapeDingTalkMarkdown(label, false),
    minutes: Math.round(confirmLinkSeconds / 60),
  });
  const title = dingtalkText(locale, "code.title");
  await client.sendToUsers([staffId], {
    msgtype: "markdown",
    markdown: { title, text: `### ${title}\n\n${text}` },
  });
}

/** A card as a DingTalk message, its buttons as links bound to `principal`. */
export async function messageFor(
  services: LinkDeps,
  db: Db,
  principal: string | undefined,
  place: Place,
  card: CardNode,
): Promise<DingTalkMessage> {
  const hasActions = walk(card).some((n) => n.type === "button" || n.type === "submit");
  if (!hasActions || !principal) {
    if (!hasActions) return renderDingTalkMessage(card);
    // Nobody to bind the links to: the card's text only.
    return {
      msgtype: "markdown",
      markdown: { title: card.header.title, text: escapeDingTalkMarkdown(fallbackText(card)) },
    };
  }
  return renderDingTalkMessage(card, { linkFor: await linksFor(services, db, principal, place, card) });
}

// ---------------------------------------------------------------------------------------------
// Answers

type Session = { url: string; expiresAt?: Date };

/**
 * The bot's answers into DingTalk: plain answers to the chat (its `sessionWebhook` while fresh,
 * else the OpenAPI), cards with links and `direct` answers to the person's 1:1 chat. Failures
 * are logged (the chat answer is best effort; notifications go through the outbox).
 */
export async function deliverReplies(
  services: LinkDeps,
  db: Db,
  input: { principal?: string; place: Place; session?: Session },
  replies: readonly Reply[],
): Promise<{ delivered: number }> {
  const client = dingtalkClientOf(services);
  if (!client) return { delivered: 0 };
  const { place, session } = input;
  let delivered = 0;
  for (const reply of replies) {
    if (reply.type === "options") continue;
    try {
      const message = await messageFor(services, db, input.principal, place, reply.card);
      const toPerson = reply.type === "direct" || message.msgtype === "actionCard";
      if (toPerson || place.chatType === "direct") {
        if (!toPerson && session && (await viaSession(client, session, message, services))) {
          delivered++;
          continue;
        }
        await client.sendToUsers([place.staffId], message);
      } else {
        if (session && (await viaSession(client, session, message, services))) {
          delivered++;
          continue;
        }
        await client.sendToGroup(place.chatId, message);
      }
      delivered++;
    } catch (error) {
      services.logger.warn(
        { surface: "dingtalk", error: (error as Error).name, reason: (error as Error).message.slice(0, 200) },
        "a DingTalk answer was not delivered",
      );
    }
  }
  return { delivered };
}

async function viaSession(
  client: DingTalkClient,
  session: Session,
  message: DingTalkMessage,
  services: LinkDeps,
): Promise<boolean> {
  try {
    await client.replyBySession(session.url, session.expiresAt, message);
    return true;
  } catch (error) {
    if (!(error instanceof SessionWebhookExpiredError))
      services.logger.info(
        { surface: "dingtalk", error: (error as Error).name },
        "sessionWebhook refused; answering through the OpenAPI",
      );
    return false;
  }
}

/** The neutral event the bot gets (without the DingTalk context). */
function neutral(event: DingTalkEvent): InboundEvent {
  const { dingtalk: _dingtalk, ...rest } = event;
  return rest as InboundEvent;
}

/** Evidence of where a robot message came from (kept with a signature, bots/events.ts `proof`). */
export type DingTalkProof = { requestSha256: string; signatureHeader: string };

function sessionOf(event: DingTalkEvent): Session | undefined {
  const { dingtalk } = event;
  return dingtalk.sessionWebhook
    ? {
        url: dingtalk.sessionWebhook,
        ...(dingtalk.sessionWebhookExpiresAt ? { expiresAt: dingtalk.sessionWebhookExpiresAt } : {}),
      }
    : undefined;
}

/**
 * The corp allow-list: another corp's robot → a 403 `AppError`; a sender from outside the corp
 * gets the polite refusal in their chat and false (nothing stored); true: the bot may have it.
 */
async function admitted(services: Services, event: DingTalkEvent, session: Session | undefined) {
  const verdict = dingtalkAdmission(services.config, event);
  if (verdict.ok) return true;
  if (!verdict.ours)
    throw new AppError("forbidden", "This DingTalk organisation is not served here.", {
      messageKey: "error.forbidden",
    });
  services.logger.info(
    { surface: "dingtalk", corp: event.who.tenant },
    "DingTalk message from outside the corp refused",
  );
  const client = dingtalkClientOf(services);
  if (client && session) {
    try {
      await client.replyBySession(
        session.url,
        session.expiresAt,
        renderDingTalkMessage(dingtalkRefusalCard()),
      );
    } catch {
      // Nothing else may reach an outsider.
    }
  }
  return false;
}

/** The bot's answers to a message, to its chat (sessionWebhook) or through the OpenAPI. */
async function answer(
  services: Services,
  event: DingTalkEvent,
  session: Session | undefined,
  outcome: { replies: readonly Reply[]; principal?: string },
): Promise<void> {
  const place: Place = {
    chatId: event.where.chatId,
    chatType: event.where.chatType === "group" ? "group" : "direct",
    staffId: event.who.userId,
  };
  await deliverReplies(
    services,
    services.database.db,
    {
      ...(outcome.principal ? { principal: outcome.principal } : {}),
      place,
      ...(session ? { session } : {}),
    },
    outcome.replies,
  );
}

/** One verified, fresh, admitted-or-not robot message: the bot's answer delivered. */
export async function handleDingTalkEvent(
  services: Services,
  event: DingTalkEvent,
  proof: DingTalkProof,
): Promise<void> {
  const session = sessionOf(event);
  if (!(await admitted(services, event, session))) return;
  const outcome = await services.bot.receive({ ...neutral(event), proof });
  if (outcome.duplicate) {
    services.logger.debug({ surface: "dingtalk" }, "DingTalk redelivery; already handled");
    return;
  }
  await answer(services, event, session, outcome);
}

/**
 * The same as {@link handleDingTalkEvent} for a delivery that is acknowledged once the message is
 * durable (the Stream, adapters/http/dingtalk-stream.ts): resolves as soon as the bot's inbox has
 * stored it (or it was refused, or is a redelivery: `duplicate`); `done` settles once the answers
 * are delivered. A throw means nothing was stored (or: another corp's robot, a 403 `AppError`).
 */
export async function acceptDingTalkEvent(
  services: Services,
  event: DingTalkEvent,
  proof: DingTalkProof,
): Promise<{ duplicate: boolean; done: Promise<void> }> {
  const session = sessionOf(event);
  if (!(await admitted(services, event, session))) return { duplicate: false, done: Promise.resolve() };
  const { bot } = services;
  if (!bot.accept) {
    const outcome = await bot.receive({ ...neutral(event), proof });
    if (outcome.duplicate) return { duplicate: true, done: Promise.resolve() };
    return { duplicate: false, done: answer(services, event, session, outcome) };
  }
  const accepted = await bot.accept({ ...neutral(event), proof });
  if (accepted.duplicate) return { duplicate: true, done: Promise.resolve() };
  const done = accepted.outcome
    .then((outcome) => answer(services, event, session, outcome))
    .then(() => accepted.done);
  return { duplicate: false, done };
}

// ---------------------------------------------------------------------------------------------
// The link pages

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

function inputsData(data: Json): LinkInput[] {
  return Array.isArray(data.i) ? (data.i as LinkInput[]) : [];
}

function formHtml(inputs: LinkInput[], locale: Locale): HtmlEscapedString {
  const optional = dingtalkText(locale, "input.optional");
  return html`${inputs.map((input) => {
    const label = html`${input.label}${input.required ? "" : html` <span class="muted">${optional}</span>`}`;
    if (input.k === "choice") {
      return html`<fieldset><legend>${label}</legend>${input.options.map(
        ([value, text], i) =>
          html`<p><label><input type="${input.multiple ? "checkbox" : "radio"}" name="${input.multiple ? `${input.id}__${i}` : input.id}" value="${value}"${input.required && !input.multiple ? " required" : ""}> ${text}</label></p>`,
      )}</fieldset>`;
    }
    if (input.k === "date")
      return html`<p><label>${label}<br><input type="date" name="${input.id}"${input.required ? " required" : ""}></label></p>`;
    return input.multiline
      ? html`<p><label>${label}<br><textarea name="${input.id}" maxlength="2000"${input.required ? " required" : ""}></textarea></label></p>`
      : html`<p><label>${label}<br><input name="${input.id}" maxlength="200"${input.required ? " required" : ""}></label></p>`;
  })}` as HtmlEscapedString;
}

/** The posted fields → the bot's form values (checkboxes `id__n` gathered into arrays). */
function formValues(inputs: LinkInput[], form: Record<string, string>): FormValues {
  const values: Record<string, string | string[]> = {};
  for (const input of inputs) {
    if (input.k === "choice" && input.multiple) {
      values[input.id] = input.options
        .map((_, i) => form[`${input.id}__${i}`])
        .filter((v): v is string => typeof v === "string" && v !== "");
    } else {
      const value = form[input.id]?.trim();
      if (value) values[input.id] = value;
    }
  }
  return values;
}

function resultOf(locale: Locale, replies: readonly Reply[]): LinkActionOutcome {
  const cards = replies.filter((r): r is Exclude<Reply, { type: "options" }> => r.type !== "options");
  const first = cards[0]?.card;
  return {
    title: first?.header.title ?? dingtalkText(locale, "done.title"),
    body: dingtalkText(locale, "done.body"),
    content: html`${cards.map(
      (r) =>
        html`<pre style="white-space:pre-wrap;font:inherit;background:#f5f6f8;padding:.75rem;border-radius:8px">${fallbackText(r.card)}</pre>`,
    )}` as HtmlEscapedString,
  };
}

/**
 * Hands a link's action to the bot once the link is spent and committed (the bot uses the
 * database on its own, so never inside the link's transaction): stored in the bot's inbox under
 * `link:<jti>` like any chat event, answered into DingTalk, summarised on the page.
 */
function throughBot(services: Services, context: LinkActionContext, confirmed: boolean): LinkActionOutcome {
  const { data, principal, now, locale, request } = context;
  const action = str(data.a) ?? "";
  const staffId = str(data.s) ?? "";
  const place: Place = {
    chatId: str(data.c) ?? `dingtalk:${staffId}`,
    chatType: data.t === "group" ? "group" : "direct",
    staffId,
  };
  // Who acts: a confirmed link's person as the surface authenticated them (a fresh login);
  // otherwise the stored DingTalk identity, like a message from them.
  const who = confirmed ? { userId: staffId, principal } : { userId: staffId };
  const base = {
    surface: "dingtalk" as const,
    idempotencyKey: `link:${context.jti}`,
    who,
    where: { chatId: place.chatId, chatType: place.chatType },
    receivedAt: now,
    // No locale: the bot answers in the person's own language, as in their chat.
    proof: {
      ...(request.ip ? { ip: request.ip } : {}),
      ...(request.userAgent ? { userAgent: request.userAgent } : {}),
      ...(request.sessionIdHash ? { sessionIdHash: request.sessionIdHash } : {}),
    },
  };
  const event: InboundEvent =
    action === "privileged.confirm"
      ? ({ ...base, type: "message", text: str(data.v) ?? "" } satisfies MessageEvent)
      : ({
          ...base,
          type: "action",
          action,
          ...(str(data.v) !== undefined ? { value: str(data.v) } : {}),
          form: formValues(inputsData(data), context.form),
        } satisfies ActionEvent);
  return {
    title: dingtalkText(locale, "done.title"),
    body: dingtalkText(locale, "done.body"),
    async afterCommit() {
      const outcome = await services.bot.receive(event);
      await deliverReplies(
        services,
        services.database.db,
        { principal: outcome.principal ?? principal, place },
        outcome.replies,
      );
      return resultOf(locale, outcome.replies);
    },
  };
}

/** A DingTalk button or form: GET shows what it does (and the form), POST hands it to the bot once. */
export function dingtalkActionLink(services: Services): LinkAction {
  return {
    purpose: dingtalkActionPurpose,
    requiresSession: false,
    describe: ({ data, locale }) => ({
      title: dingtalkText(locale, "action.title", { label: str(data.l) ?? "" }),
      body: dingtalkText(locale, "action.body"),
      confirm: str(data.l) ?? translate(locale, "link.confirm"),
      formContent: formHtml(inputsData(data), locale),
    }),
    perform: async (context) => throughBot(services, context, false),
  };
}

/**
 * Signing and privileged commands from DingTalk: the page asks for the one-time code sent to the
 * person's own 1:1 chat; a right code runs the action as that person and opens a fresh session, a
 * wrong or expired one spends the link and does nothing else.
 */
export function dingtalkConfirmLink(services: Services): LinkAction {
  return {
    purpose: dingtalkConfirmPurpose,
    requiresSession: false,
    describe: ({ data, locale }) => {
      const command = data.a === "privileged.confirm" ? str(data.v) : undefined;
      return {
        title: dingtalkText(locale, "confirm.title", { label: str(data.l) ?? "" }),
        body: dingtalkText(locale, "confirm.body"),
        confirm: translate(locale, "link.confirm"),
        ...(command
          ? { content: html`<p><code>${dingtalkText(locale, "confirm.command", { command })}</code></p>` }
          : {}),
        formContent: formHtml(inputsData(data), locale),
        fields: [
          { name: "code", label: dingtalkText(locale, "confirm.code_label"), autocomplete: "one-time-code" },
        ],
      };
    },
    async perform(context) {
      const { tx, jti, principal, now, form, locale } = context;
      const [row] = await tx.delete(dingtalkConfirmCodes).where(eq(dingtalkConfirmCodes.jti, jti)).returning({
        principal: dingtalkConfirmCodes.principal,
        codeSha256: dingtalkConfirmCodes.codeSha256,
        expiresAt: dingtalkConfirmCodes.expiresAt,
      });
      const code = (form.code ?? "").replace(/\s+/g, "");
      const right =
        row !== undefined &&
        row.principal === principal &&
        row.expiresAt.getTime() > now.getTime() &&
        /^\d{6}$/.test(code) &&
        row.codeSha256 === sha256(`${jti}:${code}`);
      await tx.delete(dingtalkConfirmCodes).where(lt(dingtalkConfirmCodes.expiresAt, now));
      if (!right)
        return {
          title: dingtalkText(locale, "confirm.wrong.title"),
          body: dingtalkText(locale, "confirm.wrong.body"),
        };
      return { ...throughBot(services, context, true), startSession: true };
    },
  };
}

/** The DingTalk link actions (registered while DingTalk is on). */
export function dingtalkLinks(services: ModuleServices): LinkAction[] {
  if (!isSurfaceEnabled(services.config, "dingtalk")) return [];
  // The bot is read when a link acts (the registry adds it after the link actions).
  const full = services as Services;
  return [dingtalkActionLink(full), dingtalkConfirmLink(full)];
}

// ---------------------------------------------------------------------------------------------
// Notifications

/** DingTalk's app robot: about 20 messages a second per app; 1:1 per person kept gentle. */
const dingtalkRate = (rate: SenderEntry["rate"]): SenderEntry["rate"] => ({
  ratePerSecond: Math.min(rate.ratePerSecond, 5),
  burst: Math.min(rate.burst, 10),
});

type NotifyDeps = Pick<ModuleServices, "config" | "clock" | "logger" | "database" | "linkTokens">;

/**
 * The `person` sender with DingTalk behind `next`: `next` delivers first, then a person with a
 * stored DingTalk identity (and active) gets the notification's card in their 1:1 chat with the
 * app robot, its buttons as links bound to them. A DingTalk failure throws the mapped error
 * (errcode → rate limit / permanent / retry), so the outbox retries or gives up.
 */
export function dingtalkPersonEntry(services: NotifyDeps, next: SenderEntry): SenderEntry {
  const client = dingtalkClientOf(services);
  if (!client) return next;
  const db = services.database.db;
  const memory = new PostedMemory(db, "dingtalk:person");
  const send: NotificationSender["send"] = async (message) => {
    const result = await next.sender.send(message);
    if (message.recipient.type !== "person") return result;
    const { principal } = message.recipient;
    const person = await activePlatformPerson(db, principal, "dingtalk");
    if (!person) return result;
    const reference = await memory.once(message, person.userId, async () => {
      const card = cardForNotification(message.kind, message.data, { locale: person.locale, t: translate });
      const place: Place = {
        chatId: `dingtalk:${person.userId}`,
        chatType: "direct",
        staffId: person.userId,
      };
      const rendered = await messageFor(services, db, principal, place, card);
      return `dingtalk:${person.userId}/${await client.sendToUsers([person.userId], rendered)}`;
    });
    return { reference: joinReferences(result.reference, reference) } as { reference?: string };
  };
  return { sender: { send }, rate: dingtalkRate(next.rate) };
}

/**
 * The `channel` sender with DingTalk behind `next`: every bound `dingtalk` group gets the card
 * through `groupMessages/send` (in the language of the HR person who bound it; buttons stay out of
 * groups — the text says what to do). HR alerts also go to the legacy custom robot when
 * `DINGTALK_ALERT_WEBHOOK` is set (see {@link dingtalkAlertRobot}).
 */
export function dingtalkChannelEntry(services: NotifyDeps, next: SenderEntry): SenderEntry {
  const client = dingtalkClientOf(services);
  const robot = dingtalkAlertRobot(services);
  if (!client && !robot) return next;
  const db = services.database.db;
  const memory = new PostedMemory(db, "dingtalk:channel");
  const send: NotificationSender["send"] = async (message) => {
    let result: SendResult;
    try {
      result = await next.sender.send(message);
    } catch (error) {
      // No group bound yet: the alert robot's group still gets HR's messages.
      const robotTakesIt =
        robot && message.recipient.type === "channel" && message.recipient.purpose === "hr";
      if (!(error instanceof NoChannelBoundError) || !robotTakesIt) throw error;
      result = {};
    }
    if (message.recipient.type !== "channel") return result;
    const references: string[] = [];
    let groups = 0;
    if (client) {
      const posted = await postToBoundChannels(db, "dingtalk", message, memory, async (channelId, card) => {
        const rendered: DingTalkMessage = walk(card).some((n) => n.type === "button" || n.type === "submit")
          ? {
              msgtype: "markdown",
              markdown: { title: card.header.title, text: escapeDingTalkMarkdown(fallbackText(card)) },
            }
          : renderDingTalkMessage(card);
        return `dingtalk:${channelId}/${await client.sendToGroup(channelId, rendered)}`;
      });
      groups = posted.length;
      references.push(...posted);
    }
    if (client && groups > 0 && hasActions(message)) {
      // A card with buttons stays out of groups (anyone there could click): the people of the
      // channel's purpose get it in their 1:1 chat, with links bound to each of them.
      const recipient = message.recipient;
      for (const person of await purposePeople(db, recipient.purpose, recipient.entityId)) {
        references.push(
          await memory.once(message, `person:${person.staffId}`, async () => {
            const card = cardForNotification(message.kind, message.data, {
              locale: person.locale,
              t: translate,
            });
            const place: Place = {
              chatId: `dingtalk:${person.staffId}`,
              chatType: "direct",
              staffId: person.staffId,
            };
            const rendered = await messageFor(services, db, person.principal, place, card);
            return `dingtalk:${person.staffId}/${await client.sendToUsers([person.staffId], rendered)}`;
          }),
        );
      }
    }
    if (robot && message.recipient.purpose === "hr") {
      references.push(
        await memory.once(message, "alert-robot", async () => {
          await robot.send(
            cardForNotification(message.kind, message.data, { locale: "zh-CN", t: translate }),
          );
          return "dingtalk:alert-robot";
        }),
      );
    }
    return { reference: joinReferences(result.reference, ...references) } as { reference?: string };
  };
  return { sender: { send }, rate: next.rate };
}

function hasActions(message: OutgoingMessage): boolean {
  const card = cardForNotification(message.kind, message.data, { locale: "zh-CN", t: translate });
  return walk(card).some((n) => n.type === "button" || n.type === "submit");
}

/** Active employees with the function (`hr`, `finance`) of the entity (or any) and a DingTalk identity. */
async function purposePeople(
  db: Db,
  purpose: string,
  entityId: string | undefined,
): Promise<{ principal: string; staffId: string; locale: Locale }[]> {
  const rows = await db
    .select({
      externalId: employees.externalId,
      staffId: employeeIdentities.platformUserId,
      locale: employees.locale,
    })
    .from(employees)
    .innerJoin(employeeIdentities, eq(employeeIdentities.employeeId, employees.id))
    .where(
      and(
        eq(employeeIdentities.platform, "dingtalk"),
        eq(employees.status, "active"),
        sql`${employees.functions} @> ${JSON.stringify([purpose])}::jsonb`,
        entityId ? or(eq(employees.entityId, entityId), isNull(employees.entityId)) : undefined,
      ),
    )
    .orderBy(employees.externalId)
    .limit(20);
  return rows.map((r) => ({
    principal: `employee:${r.externalId}`,
    staffId: r.staffId,
    locale: negotiateLocale(r.locale, "zh-CN"),
  }));
}

// ---------------------------------------------------------------------------------------------
// The legacy custom group robot (alerts)

export type AlertRobot = {
  /** Posts one card; over the limit a {@link RateLimitedError} (the outbox retries, folding what waits). */
  send(card: CardNode): Promise<void>;
};

const alertRobots = new WeakMap<Config, AlertRobot>();
/** The custom robot allows 20 messages a minute (then 10 minutes of silence): stay under it. */
export const customRobotPerMinute = 20;

/**
 * The custom group robot of `DINGTALK_ALERT_WEBHOOK` (signed with `DINGTALK_ALERT_SECRET`), for
 * HR channel messages: at most {@link customRobotPerMinute} posts in any minute. Beyond that it
 * answers "rate limited" until a slot frees, so the outbox waits and then folds the alerts that
 * piled up into one message (`notification.batch`); DingTalk's own limit answer (`errcode`
 * 410100 / 90030, HTTP 200) is treated the same way.
 */
export function dingtalkAlertRobot(
  services: Pick<ModuleServices, "config" | "clock">,
): AlertRobot | undefined {
  const { config, clock } = services;
  const webhook = config.DINGTALK_ALERT_WEBHOOK;
  if (!webhook) return undefined;
  const existing = alertRobots.get(config);
  if (existing) return existing;
  const client = dingtalkClient({
    appKey: config.DINGTALK_APP_KEY ?? "",
    appSecret: config.DINGTALK_APP_SECRET ?? "",
    robotCode: config.DINGTALK_ROBOT_CODE ?? "",
    fetch: (input, init) => (optionsOf.get(config)?.fetch ?? globalThis.fetch)(input, init),
    now: () => clock.now(),
  });
  let sentAt: number[] = [];
  const robot: AlertRobot = {
    async send(card) {
      const now = clock.now().getTime();
      sentAt = sentAt.filter((at) => at > now - 60_000);
      if (sentAt.length >= customRobotPerMinute) {
        const wait = Math.max(1, Math.ceil(((sentAt[0] as number) + 60_000 - now) / 1000));
        throw new RateLimitedError(wait, "the DingTalk custom robot allows 20 messages a minute");
      }
      sentAt.push(now);
      await client.sendCustomRobot(webhook, config.DINGTALK_ALERT_SECRET, renderCustomRobotMessage(card));
    },
  };
  alertRobots.set(config, robot);
  return robot;
}

/** Several alerts as one message: each card's title and text. */
export function foldedCard(cards: readonly CardNode[]): CardNode {
  return Card(
    { title: `Baton (${cards.length})`, tone: "warning" },
    cards.map((c) => Text(fallbackText(c))),
  );
}

/** Housekeeping on the scheduler's tick: expired replay pairs and one-time codes go. */
export function dingtalkPurgeJob(services: Pick<ModuleServices, "database">): TickJob {
  return {
    name: "dingtalk.purge",
    async run(now) {
      const db = services.database.db;
      await db.delete(dingtalkCallbackPairs).where(lt(dingtalkCallbackPairs.expiresAt, now));
      await db.delete(dingtalkConfirmCodes).where(lt(dingtalkConfirmCodes.expiresAt, now));
    },
  };
}
