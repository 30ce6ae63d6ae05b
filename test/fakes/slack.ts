/**
 * Slack as a tester needs it: signed requests with the real payload shapes
 * (shared/reference/slack-teams.md §A1–A2), and the interaction payloads Slack would send when a
 * person fills in and clicks a message or modal that render.ts produced.
 */

import type { RawRequest } from "../../adapters/shared/surface.ts";
import { decodeActionId } from "../../adapters/slack/codec.ts";
import type { SlackBlock, SlackMessage, SlackModal } from "../../adapters/slack/render.ts";
import { slackSignature } from "../../adapters/slack/verify.ts";

export const testSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";

/** A request to `POST /webhooks/slack` signed like Slack signs it (at `now`, or `timestamp`). */
export function signedSlackRequest(options: {
  body: string;
  contentType: "application/json" | "application/x-www-form-urlencoded";
  now: Date;
  secret?: string;
  timestamp?: number;
  headers?: Record<string, string>;
}): RawRequest {
  const timestamp = options.timestamp ?? Math.floor(options.now.getTime() / 1000);
  return {
    method: "POST",
    url: "https://baton.example.com/webhooks/slack",
    headers: {
      "content-type": options.contentType,
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": slackSignature(options.secret ?? testSigningSecret, timestamp, options.body),
      ...options.headers,
    },
    body: options.body,
  };
}

export function eventRequest(envelope: unknown, now: Date, headers?: Record<string, string>): RawRequest {
  return signedSlackRequest({
    body: JSON.stringify(envelope),
    contentType: "application/json",
    now,
    ...(headers ? { headers } : {}),
  });
}

/** Interactivity: one form field `payload` holding the JSON. */
export function interactionRequest(payload: unknown, now: Date): RawRequest {
  return signedSlackRequest({
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    contentType: "application/x-www-form-urlencoded",
    now,
  });
}

export function commandRequest(fields: Record<string, string>, now: Date): RawRequest {
  return signedSlackRequest({
    body: new URLSearchParams(fields).toString(),
    contentType: "application/x-www-form-urlencoded",
    now,
  });
}

type Json = Record<string, unknown>;
type Values = Readonly<Record<string, string | readonly string[]>>;

function optionFor(element: Json, value: string): Json {
  const options = Array.isArray(element.options) ? (element.options as Json[]) : [];
  return options.find((o) => o.value === value) ?? { text: { type: "plain_text", text: value }, value };
}

/** `state.values` as Slack sends it for the input blocks, with `values` by neutral input id. */
export function stateFor(blocks: readonly SlackBlock[], values: Values): Json {
  const state: Json = {};
  for (const block of blocks) {
    if (block.type !== "input") continue;
    const element = block.element as Json;
    const actionId = String(element.action_id);
    const decoded = decodeActionId(actionId);
    if (decoded?.kind !== "input") continue;
    const value = values[decoded.id];
    const list = value === undefined ? [] : typeof value === "string" ? [value] : [...value];
    let entry: Json;
    switch (element.type) {
      case "plain_text_input":
        entry = { type: element.type, value: list[0] ?? null };
        break;
      case "datepicker":
        entry = { type: element.type, selected_date: list[0] ?? null };
        break;
      case "checkboxes":
      case "multi_static_select":
      case "multi_external_select":
        entry = { type: element.type, selected_options: list.map((v) => optionFor(element, v)) };
        break;
      default:
        entry = {
          type: element.type,
          selected_option: list[0] === undefined ? null : optionFor(element, list[0]),
        };
    }
    state[String(block.block_id)] = { [actionId]: entry };
  }
  return state;
}

const user = { id: "U0LILEI", username: "li.lei", name: "li.lei", team_id: "T0ACME" };
const team = { id: "T0ACME", domain: "acme" };

/** Every clickable element of a message or view, with its block. */
export function clickables(blocks: readonly SlackBlock[]): { block: SlackBlock; element: Json }[] {
  return blocks.flatMap((block) =>
    block.type === "actions" ? (block.elements as Json[]).map((element) => ({ block, element })) : [],
  );
}

/** The `block_actions` payload of a click on `element` in a message posted to `channel`. */
export function blockActionsPayload(
  message: SlackMessage,
  element: Json,
  values: Values,
  options: { channel?: string; ts?: string; triggerId?: string } = {},
): Json {
  const channel = options.channel ?? "D0LILEI";
  const ts = options.ts ?? "1772410500.000100";
  return {
    type: "block_actions",
    user,
    api_app_id: "A0BATON",
    token: "legacy-verification-token",
    container: { type: "message", message_ts: ts, channel_id: channel, is_ephemeral: false },
    trigger_id: options.triggerId ?? "4412345678.1234567890.0f1e2d3c4b5a",
    team,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: channel.startsWith("D") ? "directmessage" : "hr-ops" },
    message: { type: "message", ts, text: message.text, blocks: message.blocks },
    state: { values: stateFor(message.blocks, values) },
    response_url: "https://hooks.slack.com/actions/T0ACME/1/abc",
    actions: [
      {
        action_id: element.action_id,
        block_id: "b1",
        type: "button",
        text: element.text,
        ...(element.value !== undefined ? { value: element.value } : {}),
        ...(element.style !== undefined ? { style: element.style } : {}),
        action_ts: "1772410501.000200",
      },
    ],
  };
}

/** The `view_submission` payload of a modal submitted with `values`. */
export function viewSubmissionPayload(
  view: SlackModal,
  values: Values,
  triggerId = "4412345678.99.abc",
): Json {
  return {
    type: "view_submission",
    team,
    user,
    api_app_id: "A0BATON",
    token: "legacy-verification-token",
    trigger_id: triggerId,
    view: {
      id: "V0NOTICE",
      team_id: "T0ACME",
      type: "modal",
      blocks: view.blocks,
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      state: { values: stateFor(view.blocks, values) },
      hash: "1772410502.abcdef",
      title: view.title,
      ...(view.submit ? { submit: view.submit } : {}),
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** The `block_suggestion` payload of a person typing `query` into an external_select. */
export function blockSuggestionPayload(actionId: string, query: string, blockId = "in:receiver"): Json {
  return {
    type: "block_suggestion",
    user,
    container: {
      type: "message",
      message_ts: "1772410500.000100",
      channel_id: "D0LILEI",
      is_ephemeral: false,
    },
    api_app_id: "A0BATON",
    token: "legacy-verification-token",
    action_id: actionId,
    block_id: blockId,
    value: query,
    team,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: "D0LILEI", name: "directmessage" },
  };
}
