/**
 * How neutral actions and inputs travel through a Lark card (JSON 2.0) and back in
 * `card.action.trigger` (shared/reference/lark-dingtalk.md §A3–A4):
 *
 * - a button (and a form's submit button) carries `behaviors: [{ type: "callback", value }]` whose
 *   `value` = `{ baton: { action, value?, chat? } }` ({@link BatonValue}); Lark sends it back
 *   unchanged as `event.action.value`. `chat` is the chat type the card was sent to (`d` direct,
 *   `g` group), stamped by the renderer when the caller knows it: a click carries only the chat id
 *   (`oc_…` for 1:1 and group chats alike).
 * - every input inside the `form` container has `name` = `<kind>_<id>` ({@link encodeInputName}):
 *   `t` text, `d` date, `c` choice, `p` person (from the card's list); the click brings
 *   `event.action.form_value` keyed by those names, and the kind says how to read each value back
 *   (a date arrives as `2026-03-31 +0800`).
 * - our own components are named `baton_form_<n>` / `baton_submit_<n>`, so input ids may not start
 *   with `baton_`.
 */

import type { ChatType } from "../../bots/conversation.ts";
import type { FormValues } from "../../bots/events.ts";
import { parseJsonOrUndefined } from "../shared/json.ts";

export const valueKey = "baton";

export type BatonValue = { action: string; value?: string; chat?: "d" | "g" };

export type InputKind = "t" | "d" | "c" | "p";

const inputIdPattern = /^[A-Za-z0-9][A-Za-z0-9_]{0,99}$/;

/** Input ids become component names (letters, digits and `_`; not our `baton_` prefix). */
export function isValidInputId(id: string): boolean {
  return inputIdPattern.test(id) && !id.startsWith("baton_");
}

export function encodeInputName(kind: InputKind, id: string): string {
  if (!isValidInputId(id)) throw new RangeError(`input id "${id}" must match [A-Za-z0-9][A-Za-z0-9_]{0,99}`);
  return `${kind}_${id}`;
}

export function decodeInputName(name: string): { kind: InputKind; id: string } | undefined {
  const match = /^([tdcp])_([A-Za-z0-9][A-Za-z0-9_]{0,99})$/.exec(name);
  if (!match || match[2]!.startsWith("baton_")) return undefined;
  return { kind: match[1] as InputKind, id: match[2]! };
}

export const formName = (index: number): string => `baton_form_${index}`;
export const submitName = (index: number): string => `baton_submit_${index}`;

export function encodeValue(
  action: string,
  value: string | undefined,
  chatType?: ChatType,
): {
  baton: BatonValue;
} {
  return {
    [valueKey]: {
      action,
      ...(value !== undefined ? { value } : {}),
      ...(chatType ? { chat: chatType === "direct" ? "d" : "g" } : {}),
    },
  } as { baton: BatonValue };
}

/** Our value from `event.action.value` (an object, or the same as a JSON string), else undefined. */
export function decodeValue(raw: unknown): BatonValue | undefined {
  const value = typeof raw === "string" ? parseJsonOrUndefined(raw) : raw;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const baton = (value as Record<string, unknown>)[valueKey];
  if (typeof baton !== "object" || baton === null || Array.isArray(baton)) return undefined;
  const b = baton as Record<string, unknown>;
  if (typeof b.action !== "string" || b.action === "") return undefined;
  return {
    action: b.action,
    ...(typeof b.value === "string" ? { value: b.value } : {}),
    ...(b.chat === "d" || b.chat === "g" ? { chat: b.chat } : {}),
  };
}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string" && v !== "");
  if (typeof value === "string") return value === "" ? [] : value.split(",").filter((v) => v !== "");
  return [];
}

/** `2026-03-31 +0800` (how Lark's date picker answers) → `2026-03-31`. */
function dateOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T].*)?$/.exec(value.trim());
  return match ? match[1] : value.trim() || undefined;
}

/**
 * `event.action.form_value` → neutral form values by input id. Names that are not ours are left
 * out; a multi-select comes back as an array (even with one pick), a single select as a string.
 */
export function decodeFormValue(formValue: unknown): FormValues {
  const form: Record<string, string | readonly string[]> = {};
  if (typeof formValue !== "object" || formValue === null || Array.isArray(formValue)) return form;
  for (const [name, value] of Object.entries(formValue as Record<string, unknown>)) {
    const decoded = decodeInputName(name);
    if (!decoded) continue;
    switch (decoded.kind) {
      case "t":
        if (typeof value === "string") form[decoded.id] = value;
        break;
      case "d": {
        const date = dateOf(value);
        if (date !== undefined) form[decoded.id] = date;
        break;
      }
      case "c":
      case "p":
        if (Array.isArray(value)) form[decoded.id] = strings(value);
        else if (typeof value === "string" && value !== "") form[decoded.id] = value;
        break;
    }
  }
  return form;
}
