/**
 * How a neutral card's actions and inputs travel through Slack's `action_id`, `value` and a modal's
 * `private_metadata`, so that parse.ts maps a click back to exactly the neutral action, value and
 * form values render.ts started from.
 *
 * - button / submit: `action_id` = `bt:<n>:<action>` (n makes it unique in the message), `value` =
 *   the neutral value (absent when the node has none);
 * - link button: `action_id` = `ln:<n>` (Slack still sends a block_actions payload; it is ignored);
 * - input: `action_id` = `in:<id>`, or `in:<id>:<search action>` for a person picker that searches
 *   as the user types (the search action comes back in `block_suggestion`);
 * - modal: `private_metadata` = JSON {@link ModalMetadata} (the submit's action and value, and the
 *   chat and message the modal was opened from).
 */

import type { ChatType } from "../../bots/conversation.ts";
import { parseJsonOrUndefined } from "../shared/json.ts";

export type DecodedActionId =
  | { kind: "button"; action: string }
  | { kind: "link" }
  | { kind: "input"; id: string; search?: string };

const inputIdPattern = /^[A-Za-z0-9_.-]{1,100}$/;

export function isValidInputId(id: string): boolean {
  return inputIdPattern.test(id);
}

export const encodeButton = (index: number, action: string): string => `bt:${index}:${action}`;
export const encodeLink = (index: number): string => `ln:${index}`;
export const encodeInput = (id: string, search?: string): string =>
  search === undefined ? `in:${id}` : `in:${id}:${search}`;

export function decodeActionId(actionId: string): DecodedActionId | undefined {
  const button = /^bt:\d+:(.+)$/s.exec(actionId);
  if (button) return { kind: "button", action: button[1]! };
  if (/^ln:\d+$/.test(actionId)) return { kind: "link" };
  const input = /^in:([A-Za-z0-9_.-]{1,100})(?::(.+))?$/s.exec(actionId);
  if (input)
    return input[2] === undefined
      ? { kind: "input", id: input[1]! }
      : { kind: "input", id: input[1]!, search: input[2] };
  return undefined;
}

/** What a modal carries in `private_metadata`. */
export type ModalMetadata = {
  /** The neutral action of the card's submit, sent on `view_submission`. */
  action: string;
  value?: string;
  /** The chat the modal was opened from (replies go there), and the message that opened it. */
  chatId?: string;
  chatType?: ChatType;
  sourceMessageId?: string;
};

export function encodeModalMetadata(metadata: ModalMetadata): string {
  return JSON.stringify({ baton: 1, ...metadata });
}

export function decodeModalMetadata(text: unknown): ModalMetadata | undefined {
  if (typeof text !== "string" || text === "") return undefined;
  const parsed = parseJsonOrUndefined(text);
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const m = parsed as Record<string, unknown>;
  if (m.baton !== 1 || typeof m.action !== "string" || m.action === "") return undefined;
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const chatType = m.chatType === "direct" || m.chatType === "group" ? m.chatType : undefined;
  return {
    action: m.action,
    ...(str(m.value) !== undefined ? { value: str(m.value) } : {}),
    ...(str(m.chatId) !== undefined ? { chatId: str(m.chatId) } : {}),
    ...(chatType ? { chatType } : {}),
    ...(str(m.sourceMessageId) !== undefined ? { sourceMessageId: str(m.sourceMessageId) } : {}),
  };
}
