import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { robotMessage, signedDingTalkRequest, testAppSecret } from "../../test/fakes/dingtalk.ts";
import { parseDingTalkMessage, parseDingTalkRequest } from "./parse.ts";
import { verifyDingTalkRequest } from "./verify.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const fixtures = fileURLToPath(new URL("../../test/fixtures/dingtalk/", import.meta.url));

type Fixture = {
  description: string;
  body: Record<string, unknown>;
  expect: { kind: "ignored" } | { kind: "events"; events: Record<string, unknown>[] };
};

const neutralKeys = ["type", "surface", "idempotencyKey", "who", "where", "text", "messageId", "locale"];
const files = readdirSync(fixtures).filter((f) => f.endsWith(".json"));

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("DingTalk fixtures parse into the expected neutral events", () => {
  it("has fixtures of every kind", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)("%s", (file) => {
    const fixture = JSON.parse(readFileSync(fixtures + file, "utf8")) as Fixture;
    const request = signedDingTalkRequest({ body: fixture.body, now });
    expect(verifyDingTalkRequest(request, now, testAppSecret).ok).toBe(true);
    const result = parseDingTalkRequest(request, { now });
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
        if (expected.dingtalk)
          expect(JSON.parse(JSON.stringify(event.dingtalk))).toMatchObject(expected.dingtalk as object);
      });
    }
  });
});

describe("parseDingTalkMessage", () => {
  it("gives a redelivery the same key (DingTalk re-sends the same msgId)", () => {
    const a = parseDingTalkMessage(robotMessage(), { now });
    const b = parseDingTalkMessage(robotMessage(), { now: new Date(now.getTime() + 60_000) });
    if (a.kind !== "events" || b.kind !== "events") throw new Error("not events");
    expect(b.events[0]!.idempotencyKey).toBe(a.events[0]!.idempotencyKey);
  });

  it("reads the session webhook's expiry as a date", () => {
    const result = parseDingTalkMessage(robotMessage(), { now });
    if (result.kind !== "events") throw new Error("not events");
    expect(result.events[0]!.dingtalk.sessionWebhookExpiresAt).toEqual(new Date(1772418900000));
  });

  it.each([
    ["no msgId", { msgId: undefined }],
    ["no senderId", { senderId: undefined }],
    ["no conversationId", { conversationId: undefined }],
  ])("throws a 400 for a callback with %s", (_name, change) => {
    expect(catchError(() => parseDingTalkMessage(robotMessage(change), { now }))).toMatchObject({
      code: "bad_request",
    });
  });

  it("throws a 400 for a body that is not a JSON object, and ignores unknown conversation types", () => {
    expect(catchError(() => parseDingTalkMessage([], { now }))).toMatchObject({ code: "bad_request" });
    const request = { ...signedDingTalkRequest({ body: robotMessage(), now }), body: "{not json" };
    expect(catchError(() => parseDingTalkRequest(request, { now }))).toMatchObject({ code: "bad_request" });
    expect(parseDingTalkMessage(robotMessage({ conversationType: "3" }), { now }).kind).toBe("ignored");
  });
});
