/**
 * Lark/Feishu as a tester needs it (shared/reference/lark-dingtalk.md §A1–A3): encrypted, signed
 * requests with the real payload shapes, and the `card.action.trigger` Lark would send when a
 * person fills in and clicks a card that render.ts produced.
 */

import { decodeInputName } from "../../adapters/lark/codec.ts";
import type { LarkCard, LarkElement } from "../../adapters/lark/render.ts";
import { encryptLark, larkSignature } from "../../adapters/lark/verify.ts";
import type { RawRequest } from "../../adapters/shared/surface.ts";

export const testEncryptKey = "bT9xQ2vK7mW4pL8sN3dF6hJ1";
export const testVerificationToken = "vT7gH2kL9pQ4sX8zC3bN6mR1";
export const testSecrets = { encryptKey: testEncryptKey, verificationToken: testVerificationToken };
export const testAppId = "cli_a5f2c8e9d1b3400d";
/** Our tenant (the company that installed Baton). */
export const testTenantKey = "2ed263bf32cf1651";
export const testBotOpenId = "ou_7d8a6e6df7621556ce0d21922b676706";

type Json = Record<string, unknown>;

/** A request to `POST /webhooks/lark` as Lark sends it: encrypted body, signed headers. */
export function signedLarkRequest(options: {
  payload: unknown;
  now: Date;
  /** Encrypt the body (default), as Lark does when an encrypt key is configured. */
  encrypt?: boolean;
  encryptKey?: string;
  timestamp?: number;
  nonce?: string;
  /** Send no signature headers (the URL-verification challenge). */
  unsigned?: boolean;
  /** A fixed IV makes the body reproducible. */
  iv?: Buffer;
}): RawRequest {
  const key = options.encryptKey ?? testEncryptKey;
  const plain = JSON.stringify(options.payload);
  const body =
    options.encrypt === false ? plain : JSON.stringify({ encrypt: encryptLark(plain, key, options.iv) });
  const timestamp = String(options.timestamp ?? Math.floor(options.now.getTime() / 1000));
  const nonce = options.nonce ?? "1839403562";
  return {
    method: "POST",
    url: "https://baton.example.com/webhooks/lark",
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(options.unsigned
        ? {}
        : {
            "x-lark-request-timestamp": timestamp,
            "x-lark-request-nonce": nonce,
            "x-lark-signature": larkSignature(timestamp, nonce, key, body),
          }),
    },
    body,
  };
}

/** The schema 2.0 envelope around an event. */
export function envelope(
  eventType: string,
  event: Json,
  options: { eventId?: string; now?: Date } = {},
): Json {
  return {
    schema: "2.0",
    header: {
      event_id: options.eventId ?? "5e3702a84e847582be8db7fb73283c02",
      event_type: eventType,
      create_time: String((options.now ?? new Date("2026-03-02T01:15:00Z")).getTime()),
      token: testVerificationToken,
      app_id: testAppId,
      tenant_key: testTenantKey,
    },
    event,
  };
}

/** Every button in a rendered card, with the form it submits (when it is a form's submit). */
export function clickables(card: LarkCard): { button: LarkElement; form?: LarkElement }[] {
  const found: { button: LarkElement; form?: LarkElement }[] = [];
  const visit = (elements: unknown[], form: LarkElement | undefined) => {
    for (const e of elements) {
      const element = e as LarkElement;
      if (element.tag === "button") found.push(form ? { button: element, form } : { button: element });
      if (element.tag === "form") visit(element.elements as unknown[], element);
      if (element.tag === "column_set")
        for (const column of element.columns as Json[]) visit(column.elements as unknown[], form);
    }
  };
  visit(card.body.elements, undefined);
  return found;
}

/** The named inputs of a form, depth first. */
function formInputs(form: LarkElement): LarkElement[] {
  const out: LarkElement[] = [];
  const visit = (elements: unknown[]) => {
    for (const e of elements) {
      const element = e as LarkElement;
      if (typeof element.name === "string" && element.tag !== "button") out.push(element);
      if (element.tag === "column_set")
        for (const column of element.columns as Json[]) visit(column.elements as unknown[]);
    }
  };
  visit(form.elements as unknown[]);
  return out;
}

/**
 * `action.form_value` as Lark sends it for a form, with `values` by neutral input id: a date as
 * `yyyy-MM-dd +0800`, a multi-select as an array, anything else as a string.
 */
export function formValueFor(
  form: LarkElement,
  values: Readonly<Record<string, string | readonly string[]>>,
): Json {
  const formValue: Json = {};
  for (const input of formInputs(form)) {
    const name = String(input.name);
    const decoded = decodeInputName(name);
    const value = decoded ? values[decoded.id] : undefined;
    if (value === undefined) continue;
    if (input.tag === "date_picker") formValue[name] = `${String(value)} +0800`;
    else if (input.tag === "multi_select_static") formValue[name] = Array.isArray(value) ? value : [value];
    else formValue[name] = Array.isArray(value) ? value[0] : value;
  }
  return formValue;
}

/** The `card.action.trigger` payload for a click on `button` (with the form's values, if any). */
export function cardActionPayload(
  clicked: { button: LarkElement; form?: LarkElement },
  values: Readonly<Record<string, string | readonly string[]>>,
  options: {
    eventId?: string;
    openId?: string;
    operatorTenant?: string;
    chatId?: string;
    messageId?: string;
  } = {},
): Json {
  const behaviors = (clicked.button.behaviors as Json[]) ?? [];
  const callback = behaviors.find((b) => b.type === "callback");
  return envelope(
    "card.action.trigger",
    {
      operator: {
        tenant_key: options.operatorTenant ?? testTenantKey,
        user_id: "e1101",
        open_id: options.openId ?? "ou_3f1b6c1c2a4d5e6f7a8b9c0d1e2f3a4b",
        union_id: "on_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
      },
      token: "c-295ee57216a5dc9de90fefd0aadb4b1d7d337c7c",
      host: "im_message",
      action: {
        value: callback?.value ?? {},
        tag: "button",
        ...(typeof clicked.button.name === "string" ? { name: clicked.button.name } : {}),
        ...(clicked.form ? { form_value: formValueFor(clicked.form, values) } : {}),
      },
      context: {
        open_message_id: options.messageId ?? "om_x100b4d8a2c6f1e0c3b8e1f2a9d7c6b5a",
        open_chat_id: options.chatId ?? "oc_5ad11d72b830411d72b836c20",
      },
    },
    { eventId: options.eventId ?? "f7984f25108f8137722bb63cee927e66" },
  );
}
