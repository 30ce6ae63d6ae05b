import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAppError } from "../../core/errors.ts";
import {
  envelope,
  signedLarkRequest,
  testBotOpenId,
  testEncryptKey,
  testSecrets,
} from "../../test/fakes/lark.ts";
import { decodeFormValue, decodeInputName, decodeValue, encodeInputName, encodeValue } from "./codec.ts";
import { larkTextToPlain, parseLarkPayload, parseLarkRequest } from "./parse.ts";
import { verifyLarkRequest } from "./verify.ts";

const now = new Date("2026-03-02T01:15:00.000Z");
const fixtures = fileURLToPath(new URL("../../test/fixtures/lark/", import.meta.url));

type Fixture = {
  description: string;
  payload: Record<string, unknown>;
  options?: { botOpenId?: string | null };
  expect:
    | { kind: "handshake"; status: number; body: unknown }
    | { kind: "ignored" }
    | { kind: "events"; events: Record<string, unknown>[] };
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

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("Lark fixtures parse into the expected neutral events", () => {
  it("has fixtures of every kind", () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it.each(files)("%s", (file) => {
    const fixture = JSON.parse(readFileSync(fixtures + file, "utf8")) as Fixture;
    const challenge = fixture.payload.type === "url_verification";
    // What a route gets: encrypted, and signed unless it is the challenge; it verifies first.
    const request = signedLarkRequest({ payload: fixture.payload, now, unsigned: challenge });
    const verified = verifyLarkRequest(request, now, testSecrets);
    if (!verified.ok) throw new Error(`${file} does not verify: ${verified.reason}`);
    expect(verified.handshake).toBe(challenge);
    const botOpenId = fixture.options?.botOpenId === null ? undefined : testBotOpenId;
    const result = parseLarkPayload(verified.payload, { now, ...(botOpenId ? { botOpenId } : {}) });
    expect(result.kind, fixture.description).toBe(fixture.expect.kind);
    expect(
      parseLarkRequest(request, { now, encryptKey: testEncryptKey, ...(botOpenId ? { botOpenId } : {}) }),
    ).toEqual(result);
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
          else expect(actual[key], `${file}: ${key}`).toBeUndefined();
        }
        expect(event.receivedAt).toEqual(now);
        if (expected.lark) expect(event.lark).toMatchObject(expected.lark as object);
        expect(event.lark.dedupeKeys).toContain(event.idempotencyKey);
      });
    }
  });
});

describe("parseLarkPayload", () => {
  const p2p = (text: string, extra: Record<string, unknown> = {}) =>
    envelope("im.message.receive_v1", {
      sender: { sender_id: { open_id: "ou_1" }, sender_type: "user" },
      message: {
        message_id: "om_1",
        chat_id: "oc_1",
        chat_type: "p2p",
        message_type: "text",
        content: JSON.stringify({ text }),
        ...extra,
      },
    });

  it("keeps a redelivery recognisable: same message_id under a new event_id gives the same key", () => {
    const first = parseLarkPayload(p2p("离职"), { now });
    const again = parseLarkPayload(
      {
        ...p2p("离职"),
        header: { ...envelope("x", {}).header!, event_id: "ev_new", event_type: "im.message.receive_v1" },
      },
      { now },
    );
    if (first.kind !== "events" || again.kind !== "events") throw new Error("not events");
    expect(again.events[0]!.idempotencyKey).toBe(first.events[0]!.idempotencyKey);
    expect(again.events[0]!.lark.dedupeKeys).toEqual(["message:om_1", "event:ev_new"]);
  });

  it("ignores a message whose text is only the bot's mention, and keeps user markup as typed", () => {
    const onlyMention = envelope("im.message.receive_v1", {
      sender: { sender_id: { open_id: "ou_1" }, sender_type: "user" },
      message: {
        message_id: "om_2",
        chat_id: "oc_g",
        chat_type: "group",
        message_type: "text",
        content: JSON.stringify({ text: "@_user_1 " }),
        mentions: [{ key: "@_user_1", id: { open_id: testBotOpenId }, name: "Baton" }],
      },
    });
    expect(parseLarkPayload(onlyMention, { now, botOpenId: testBotOpenId }).kind).toBe("ignored");
    const markup = parseLarkPayload(p2p('<at user_id="all"></at> **x** [a](https://e.example)'), { now });
    expect(markup.kind === "events" && markup.events[0]?.type === "message" && markup.events[0].text).toBe(
      '<at user_id="all"></at> **x** [a](https://e.example)',
    );
  });

  it("throws a 400 for content that is not JSON, and for an event without ids", () => {
    const badContent = p2p("x");
    (badContent.event as { message: { content: string } }).message.content = "{not json";
    expect(isAppError(catchError(() => parseLarkPayload(badContent, { now })))).toBe(true);
    const noId = p2p("x");
    (noId.header as Record<string, unknown>).event_id = undefined;
    expect(catchError(() => parseLarkPayload(noId, { now }))).toMatchObject({ code: "bad_request" });
    expect(catchError(() => parseLarkPayload([], { now }))).toMatchObject({ code: "bad_request" });
    expect(
      catchError(() => parseLarkPayload({ type: "url_verification", token: "t" }, { now })),
    ).toMatchObject({ code: "bad_request" });
  });

  it("answers a body that cannot be opened with a 400", () => {
    const request = { ...signedLarkRequest({ payload: p2p("x"), now }), body: "not json" };
    expect(catchError(() => parseLarkRequest(request, { now, encryptKey: testEncryptKey }))).toMatchObject({
      code: "bad_request",
    });
  });
});

describe("mention placeholders", () => {
  const bot = { key: "@_user_1", openId: "ou_bot" };
  const isBot = (m: { openId?: string }) => m.openId === "ou_bot";

  it("does not let @_user_1 eat the start of @_user_10", () => {
    const mentions = [
      bot,
      ...Array.from({ length: 10 }, (_, i) => ({ key: `@_user_${i + 2}`, name: `P${i + 2}` })),
    ];
    expect(larkTextToPlain("@_user_1 hand over to @_user_11 and @_user_2", mentions, isBot)).toBe(
      "hand over to @P11 and @P2",
    );
  });

  it("shows @_all as @all and collapses whitespace", () => {
    expect(larkTextToPlain("  @_user_1\n\nnotice   @_all ", [bot], isBot)).toBe("notice @all");
  });
});

describe("the Lark codec", () => {
  it("round-trips values and input names", () => {
    expect(decodeValue(encodeValue("notice.submit", "C-1", "direct"))).toEqual({
      action: "notice.submit",
      value: "C-1",
      chat: "d",
    });
    expect(decodeValue(JSON.stringify(encodeValue("x", undefined, "group")))).toEqual({
      action: "x",
      chat: "g",
    });
    expect(decodeValue({ baton: { action: "" } })).toBeUndefined();
    expect(decodeValue("{nope")).toBeUndefined();
    expect(decodeInputName(encodeInputName("d", "lastDay"))).toEqual({ kind: "d", id: "lastDay" });
    expect(decodeInputName("t_baton_x")).toBeUndefined();
    expect(decodeInputName("baton_submit_0")).toBeUndefined();
    expect(() => encodeInputName("t", "has.dot")).toThrow(/input id/);
    expect(() => encodeInputName("t", "baton_mine")).toThrow(/input id/);
  });

  it("reads form values by kind and leaves out names that are not ours", () => {
    expect(
      decodeFormValue({
        t_a: "text",
        t_n: 5,
        d_b: "2026-03-31 +0800",
        c_c: ["x", "y"],
        c_single: "z",
        p_d: "employee:E1",
        c_empty: "",
        other: "x",
      }),
    ).toEqual({ a: "text", b: "2026-03-31", c: ["x", "y"], single: "z", d: "employee:E1" });
    expect(decodeFormValue(undefined)).toEqual({});
    expect(decodeFormValue(["t_a"])).toEqual({});
  });
});
