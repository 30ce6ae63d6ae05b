import type { FormValues, InboundEvent } from "../../bots/events.ts";
import { maxValueLength } from "../../cards/model.ts";
import { AppError } from "../../core/errors.ts";
import type { ParseResult } from "../shared/surface.ts";
import { type DecodedBody, decodeBody, textField } from "./body.ts";
import { fieldNames, maxInputLength } from "./render.ts";
import type { WebRequest } from "./verify.ts";

/** An idempotency key: 1 to 128 visible ASCII characters (the page makes UUIDs). */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,128}$/;
/** The longest message a person may type. */
export const maxMessageLength = 4000;
/** The longest person-search query. */
export const maxQueryLength = 100;
const actionPattern = /^[A-Za-z0-9_.:-]{1,100}$/;
const messageIdPattern = /^[1-9]\d{0,14}$/;
const inputIdPattern = /^[A-Za-z0-9_.:-]{1,100}$/;
const maxFormEntries = 100;

/** The event types the web chat posts. Anything else is answered 200 and ignored. */
export const webEventTypes = ["message", "action", "search"] as const;

const bad = (messageKey: string, message: string, params: Record<string, string | number> = {}) =>
  new AppError("bad_request", message, { messageKey, params });

function formValuesOf(body: DecodedBody): FormValues {
  const out: Record<string, string | string[]> = {};
  if (body.kind === "form") {
    const multi = new Set(body.params.getAll(fieldNames.multi));
    let count = 0;
    for (const [name, value] of body.params) {
      if (!name.startsWith(fieldNames.inputPrefix)) continue;
      const id = name.slice(fieldNames.inputPrefix.length);
      if (!inputIdPattern.test(id) || value.length > maxInputLength || ++count > maxFormEntries) {
        throw bad("web.error.action", "A form input is not valid.");
      }
      const previous = out[id];
      if (multi.has(id) || previous !== undefined) {
        const list = Array.isArray(previous) ? previous : previous === undefined ? [] : [previous];
        if (value !== "") list.push(value);
        out[id] = list;
      } else {
        out[id] = value;
      }
    }
    for (const id of multi) if (inputIdPattern.test(id)) out[id] ??= [];
    return out;
  }
  if (body.kind === "json") {
    const form = body.value.form;
    if (form === undefined) return out;
    if (!form || typeof form !== "object" || Array.isArray(form)) {
      throw bad("web.error.action", "form must be an object of input values.");
    }
    const entries = Object.entries(form as Record<string, unknown>);
    if (entries.length > maxFormEntries) throw bad("web.error.action", "Too many form inputs.");
    for (const [id, value] of entries) {
      const ok =
        inputIdPattern.test(id) &&
        (typeof value === "string"
          ? value.length <= maxInputLength
          : Array.isArray(value) &&
            value.length <= maxFormEntries &&
            value.every((v) => typeof v === "string" && v.length <= maxInputLength));
      if (!ok) throw bad("web.error.action", "A form input is not valid.");
      out[id] = value as string | string[];
    }
  }
  return out;
}

/**
 * The web chat's POST body → one neutral event. A typed message (`type=message`, `text`; text
 * starting with `/baton` is the command), a card action (`type=action`, `action`, `value`, the
 * inputs as `f.<id>`, `message` = the card's message id) or a person search (`type=search`,
 * `action`, `query`). Each carries `key`, its idempotency key (1–128 visible characters, else 400).
 * An unknown type is ignored. Needs the session the request was verified with.
 */
export function parseWebRequest(request: WebRequest): ParseResult<InboundEvent> {
  const body = decodeBody(request);
  if (body.kind === "invalid") throw bad("web.error.body", `The body cannot be read: ${body.reason}.`);
  const type = textField(body, fieldNames.type);
  if (type === undefined || !(webEventTypes as readonly string[]).includes(type)) {
    return { kind: "ignored", reason: `unknown event type ${JSON.stringify(type ?? null).slice(0, 60)}` };
  }
  const session = request.session;
  if (!session)
    throw new AppError("unauthorized", "Sign in first.", { messageKey: "error.session_required" });
  const key = textField(body, fieldNames.key);
  if (key === undefined || !idempotencyKeyPattern.test(key)) {
    throw bad("web.error.key", "The idempotency key must be 1 to 128 visible characters.");
  }
  const { principal } = session;
  const base = {
    surface: "web" as const,
    // Keys are chosen by the browser: scoped to the person so nobody can use up another's keys.
    idempotencyKey: `${principal}/${key}`,
    who: { userId: principal, principal },
    where: { chatId: `web:${principal}`, chatType: "direct" as const },
    receivedAt: request.receivedAt ?? new Date(),
    ...(request.locale ? { locale: request.locale } : {}),
  };

  if (type === "message") {
    const text = (textField(body, fieldNames.text) ?? "").trim();
    if (text.length === 0 || text.length > maxMessageLength) {
      throw bad("web.error.text", "Type a message of 1 to 4000 characters.", { max: maxMessageLength });
    }
    const command = /^\/baton(?:\s+([\s\S]*))?$/i.exec(text);
    if (command)
      return { kind: "events", events: [{ ...base, type: "command", text: (command[1] ?? "").trim() }] };
    return { kind: "events", events: [{ ...base, type: "message", text }] };
  }

  const action = textField(body, fieldNames.action);
  if (action === undefined || !actionPattern.test(action)) {
    throw bad("web.error.action", "The action is missing or not valid.");
  }

  if (type === "search") {
    const query = (textField(body, fieldNames.query) ?? "").trim();
    if (query.length > maxQueryLength) throw bad("web.error.action", "The search is too long.");
    return { kind: "events", events: [{ ...base, type: "search", action, query }] };
  }

  const value =
    textField(body, `${fieldNames.submitValuePrefix}${action}`) ??
    textField(body, fieldNames.value) ??
    undefined;
  if (value !== undefined && action.length + value.length > maxValueLength) {
    throw bad("web.error.action", "The value is too long.");
  }
  const message = textField(body, fieldNames.message);
  if (message !== undefined && message !== "" && !messageIdPattern.test(message)) {
    throw bad("web.error.action", "The message id is not valid.");
  }
  return {
    kind: "events",
    events: [
      {
        ...base,
        type: "action",
        action,
        ...(value !== undefined && value !== "" ? { value } : {}),
        form: formValuesOf(body),
        ...(message ? { sourceMessageId: message } : {}),
      },
    ],
  };
}
