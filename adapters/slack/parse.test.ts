import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAppError } from "../../core/errors.ts";
import {
  blockSuggestionPayload,
  commandRequest,
  eventRequest,
  interactionRequest,
  signedSlackRequest,
  testSigningSecret,
} from "../../test/fakes/slack.ts";
import type { RawRequest } from "../shared/surface.ts";
import { isSlackSslCheck, parseSlackRequest, slackTextToPlain } from "./parse.ts";
import { verifySlackRequest } from "./verify.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const fixtures = fileURLToPath(new URL("../../test/fixtures/slack/", import.meta.url));

type Fixture = {
  description: string;
  request:
    | { kind: "event"; body: unknown; headers?: Record<string, string> }
    | { kind: "interaction"; payload: unknown }
    | { kind: "command"; form: Record<string, string> };
  expect:
    | { kind: "handshake"; status: number; body: unknown }
    | { kind: "ignored" }
    | { kind: "events"; events: Record<string, unknown>[] };
};

function requestOf(fixture: Fixture): RawRequest {
  const r = fixture.request;
  if (r.kind === "event") return eventRequest(r.body, now, r.headers);
  if (r.kind === "interaction") return interactionRequest(r.payload, now);
  return commandRequest(r.form, now);
}

const neutralKeys = [
  "type",
  "surface",
  "idempotencyKey",
  "who",
  "where",
  "text",
  "action",
  "value",
  "form",
  "query",
  "sourceMessageId",
  "messageId",
  "locale",
];

const files = readdirSync(fixtures).filter((f) => f.endsWith(".json"));

describe("Slack fixtures parse into the expected neutral events", () => {
  it("has fixtures of every kind", () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)("%s", (file) => {
    const fixture = JSON.parse(readFileSync(fixtures + file, "utf8")) as Fixture;
    const request = requestOf(fixture);
    // The fixture's request is what a route gets: signed, so it verifies first.
    expect(verifySlackRequest(request, now, testSigningSecret)).toEqual({ ok: true });
    const result = parseSlackRequest(request, { now });
    expect(result.kind, fixture.description).toBe(fixture.expect.kind);
    if (fixture.expect.kind === "handshake" && result.kind === "handshake") {
      expect(result.status).toBe(fixture.expect.status);
      expect(result.body).toEqual(fixture.expect.body);
    }
    if (fixture.expect.kind === "events" && result.kind === "events") {
      expect(result.events).toHaveLength(fixture.expect.events.length);
      result.events.forEach((event, i) => {
        const expected = fixture.expect.kind === "events" ? fixture.expect.events[i]! : {};
        const actual = event as unknown as Record<string, unknown>;
        for (const key of neutralKeys) {
          if (key in expected) expect(actual[key], `${file}: ${key}`).toEqual(expected[key]);
          else if (key !== "idempotencyKey") expect(actual[key], `${file}: ${key}`).toBeUndefined();
        }
        expect(event.idempotencyKey).toMatch(/^[a-z]+:\S+$/);
        expect(event.receivedAt).toEqual(now);
        if (expected.slack) expect(event.slack).toMatchObject(expected.slack as object);
      });
    }
  });
});

describe("parseSlackRequest", () => {
  it("answers the ssl_check without events, and tells the route to skip verification for it", () => {
    const request: RawRequest = {
      method: "POST",
      url: "https://baton.example.com/webhooks/slack",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "ssl_check=1&token=legacy",
    };
    expect(isSlackSslCheck(request)).toBe(true);
    expect(verifySlackRequest(request, now, testSigningSecret).ok).toBe(false);
    expect(parseSlackRequest(request, { now })).toEqual({ kind: "handshake", status: 200, body: "" });
    expect(
      isSlackSslCheck(commandRequest({ command: "/baton", text: "", user_id: "U1", channel_id: "D1" }, now)),
    ).toBe(false);
  });

  it("accepts a content type with parameters (Bolt's own parser would not)", () => {
    const request = commandRequest(
      {
        command: "/baton",
        text: "help",
        user_id: "U1",
        channel_id: "D1",
        team_id: "T1",
        trigger_id: "1.2.3",
      },
      now,
    );
    const withCharset = {
      ...request,
      headers: { ...request.headers, "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    };
    const result = parseSlackRequest(withCharset, { now });
    expect(result.kind === "events" && result.events[0]).toMatchObject({ type: "command", text: "help" });
  });

  it("uses the configured bot user id to ignore our own messages and to strip our mention", () => {
    const envelope = {
      type: "event_callback",
      team_id: "T1",
      event_id: "Ev1",
      event: { type: "app_mention", user: "U9", text: "<@UBOT> resign <@UOTHER>", ts: "1.1", channel: "C1" },
    };
    const result = parseSlackRequest(eventRequest(envelope, now), { now, botUserId: "UBOT" });
    expect(result.kind === "events" && result.events[0]?.type === "message" && result.events[0].text).toBe(
      "resign @UOTHER",
    );
    const own = {
      ...envelope,
      event: { ...envelope.event, type: "message", channel_type: "im", user: "UBOT" },
    };
    expect(parseSlackRequest(eventRequest(own, now), { now, botUserId: "UBOT" }).kind).toBe("ignored");
    const fromApp = {
      ...envelope,
      event: { ...envelope.event, type: "message", channel_type: "im", app_id: "A1" },
    };
    expect(parseSlackRequest(eventRequest(fromApp, now), { now, appId: "A1" }).kind).toBe("ignored");
  });

  it("turns a search in an external_select into a search event with a unique key per request", () => {
    const payload = blockSuggestionPayload("in:receiver:directory.search", "han");
    const first = parseSlackRequest(interactionRequest(payload, now), { now });
    const later = parseSlackRequest(interactionRequest(payload, new Date(now.getTime() + 1000)), { now });
    expect(first.kind === "events" && first.events[0]).toMatchObject({
      type: "search",
      action: "directory.search",
      query: "han",
    });
    expect(first.kind === "events" && later.kind === "events" && first.events[0]!.idempotencyKey).not.toBe(
      later.kind === "events" && later.events[0]!.idempotencyKey,
    );
    expect(
      parseSlackRequest(interactionRequest(blockSuggestionPayload("in:receiver", "x"), now), { now }).kind,
    ).toBe("ignored");
  });

  it.each([
    ["a JSON body that is not JSON", "application/json", "{not json"],
    ["a JSON body that is not an object", "application/json", "[1,2]"],
    ["a payload that is not JSON", "application/x-www-form-urlencoded", "payload=%7Bnope"],
    [
      "an event without event_id",
      "application/json",
      JSON.stringify({ type: "event_callback", event: { type: "message" } }),
    ],
    ["url_verification without challenge", "application/json", JSON.stringify({ type: "url_verification" })],
    ["an unexpected content type", "text/plain", "hello"],
  ] as const)("rejects %s with a 400 AppError", (_name, contentType, body) => {
    const request = signedSlackRequest({ body, contentType: contentType as "application/json", now });
    try {
      parseSlackRequest(request, { now });
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe("bad_request");
    }
  });

  it("ignores forms with neither payload nor command, and unknown envelopes", () => {
    expect(parseSlackRequest(commandRequest({ foo: "bar" }, now), { now }).kind).toBe("ignored");
    expect(
      parseSlackRequest(eventRequest({ type: "app_rate_limited", minute_rate_limited: 1 }, now), { now })
        .kind,
    ).toBe("ignored");
  });
});

describe("slackTextToPlain", () => {
  it.each([
    ["<@U123>", "@U123"],
    ["<@U123|ann>", "@ann"],
    ["<#C123|general>", "#general"],
    ["<!here> <!channel|@channel>", "@here @channel"],
    ["<!subteam^S123|@hr-team>", "@hr-team"],
    ["<https://example.com|Example>", "Example"],
    ["<https://example.com>", "https://example.com"],
    ["<mailto:a@example.com|a@example.com>", "a@example.com"],
    ["a &lt;b&gt; &amp;amp;", "a <b> &amp;"],
    ["离职 &amp; 交接", "离职 & 交接"],
  ])("%s → %s", (input, output) => {
    expect(slackTextToPlain(input)).toBe(output);
  });
});
