import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAppError } from "../../core/errors.ts";
import { activity, botId } from "../../test/fakes/teams.ts";
import { formFromData, parseTeamsActivity, parseTeamsRequest, stripBotMention } from "./parse.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const fixtures = fileURLToPath(new URL("../../test/fixtures/teams/", import.meta.url));

type Fixture = {
  description: string;
  activity: Record<string, unknown>;
  expect: { kind: "ignored" } | { kind: "events"; events: Record<string, unknown>[] };
};

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

describe("Teams fixtures parse into the expected neutral events", () => {
  it("has fixtures of every kind", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)("%s", (file) => {
    const fixture = JSON.parse(readFileSync(fixtures + file, "utf8")) as Fixture;
    const result = parseTeamsRequest(
      {
        method: "POST",
        url: "https://baton.example.com/webhooks/teams",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(fixture.activity),
      },
      { now },
    );
    expect(result.kind, fixture.description).toBe(fixture.expect.kind);
    if (fixture.expect.kind === "events" && result.kind === "events") {
      expect(result.events).toHaveLength(fixture.expect.events.length);
      result.events.forEach((event, i) => {
        const expected = fixture.expect.kind === "events" ? fixture.expect.events[i]! : {};
        const actual = event as unknown as Record<string, unknown>;
        for (const key of neutralKeys) {
          if (key in expected) expect(actual[key], `${file}: ${key}`).toEqual(expected[key]);
          else expect(actual[key], `${file}: ${key}`).toBeUndefined();
        }
        expect(event.receivedAt).toEqual(now);
        if (expected.teams) expect(event.teams).toMatchObject(expected.teams as object);
      });
    }
  });
});

describe("parseTeamsActivity", () => {
  it.each([
    ["a body that is not JSON", "{nope"],
    ["an activity that is not an object", "[]"],
    ["an activity without type", JSON.stringify({ id: "1" })],
    ["a message without id", JSON.stringify({ ...activity(), id: undefined })],
    ["a message without conversation", JSON.stringify({ ...activity(), conversation: undefined })],
  ])("rejects %s with a 400 AppError", (_name, body) => {
    try {
      parseTeamsRequest({ method: "POST", url: "x", headers: {}, body }, { now });
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe("bad_request");
    }
  });

  it("ignores an Action.Execute invoke of another action type, and a card action without a verb", () => {
    const other = activity({
      type: "invoke",
      name: "adaptiveCard/action",
      value: { action: { type: "Action.Submit", data: {} } },
    });
    expect(parseTeamsActivity(other, { now }).kind).toBe("ignored");
    const noVerb = activity({
      type: "invoke",
      name: "adaptiveCard/action",
      value: { action: { type: "Action.Execute", data: { x: "1" } } },
    });
    expect(parseTeamsActivity(noVerb, { now }).kind).toBe("ignored");
  });

  it("takes the action from the data when an Execute has no verb (it is ours all the same)", () => {
    const invoke = activity({
      type: "invoke",
      name: "adaptiveCard/action",
      value: {
        action: { type: "Action.Execute", data: { _baton: { action: "case.status", value: "C-1" } } },
      },
    });
    const result = parseTeamsActivity(invoke, { now });
    expect(result.kind === "events" && result.events[0]).toMatchObject({
      action: "case.status",
      value: "C-1",
    });
  });

  it("treats a message whose value is not ours as a plain message, and a shared channel as external", () => {
    const result = parseTeamsActivity(
      activity({
        value: { something: "else" },
        text: "hello",
        channelData: { tenant: { id: "t1" }, channel: { id: "19:x", membershipType: "shared" } },
      }),
      { now },
    );
    expect(result.kind === "events" && result.events[0]).toMatchObject({
      type: "message",
      text: "hello",
      where: { external: true },
    });
  });

  it("strips the bot's mention by its entity, and by its name when there is no entity", () => {
    expect(
      stripBotMention({
        text: "<at>Baton HR</at>&nbsp;status",
        recipient: { id: botId, name: "Baton HR" },
        entities: [],
      }),
    ).toBe("status");
    expect(
      stripBotMention({
        text: "<at>Baton</at> resign",
        recipient: { id: botId, name: "Other" },
        entities: [{ type: "mention", text: "<at>Baton</at>", mentioned: { id: botId } }],
      }),
    ).toBe("resign");
  });

  it("turns multi-selects back into arrays and leaves our own keys out of the form", () => {
    expect(
      formFromData(
        { _baton: { action: "x" }, msteams: { type: "x" }, done: "a,b", empty: "", other: "1,2", n: 3 },
        ["done", "empty", "missing"],
      ),
    ).toEqual({ done: ["a", "b"], empty: [], missing: [], other: "1,2", n: "3" });
  });
});
