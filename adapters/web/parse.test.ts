import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { InboundEvent } from "../../bots/events.ts";
import { isAppError } from "../../core/errors.ts";
import { parseWebRequest } from "./parse.ts";
import type { WebRequest } from "./verify.ts";

const session = { principal: "employee:E1", csrfToken: "TOKEN" };
const receivedAt = new Date("2026-03-02T02:00:00Z");

function form(fields: [string, string][], extra: Partial<WebRequest> = {}): WebRequest {
  return {
    method: "POST",
    url: "http://127.0.0.1:8787/webhooks/web",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    session,
    receivedAt,
    ...extra,
  };
}

function json(body: unknown): WebRequest {
  return {
    method: "POST",
    url: "http://127.0.0.1:8787/webhooks/web",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    session,
    receivedAt,
  };
}

function event(request: WebRequest): InboundEvent {
  const result = parseWebRequest(request);
  if (result.kind !== "events") throw new Error(`not events: ${result.kind}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as InboundEvent;
}

function status(request: WebRequest): string | undefined {
  try {
    parseWebRequest(request);
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : "thrown";
  }
}

describe("web parse", () => {
  it("turns a typed message into a message event for the session's person", () => {
    expect(
      event(
        form([
          ["type", "message"],
          ["key", "k1"],
          ["text", "  我要离职 "],
        ]),
      ),
    ).toEqual({
      surface: "web",
      type: "message",
      text: "我要离职",
      idempotencyKey: "employee:E1/k1",
      who: { userId: "employee:E1", principal: "employee:E1" },
      where: { chatId: "web:employee:E1", chatType: "direct" },
      receivedAt,
    });
  });

  it("reads /baton … as the command and carries the viewer's language", () => {
    const e = event({
      ...form([
        ["type", "message"],
        ["key", "k1"],
        ["text", "/baton status"],
      ]),
      locale: "en",
    });
    expect(e).toMatchObject({ type: "command", text: "status", locale: "en" });
    expect(
      event(
        form([
          ["type", "message"],
          ["key", "k1"],
          ["text", "/BATON"],
        ]),
      ),
    ).toMatchObject({
      type: "command",
      text: "",
    });
  });

  it("turns a card action into an action event with its form values", () => {
    const e = event(
      form([
        ["_csrf", "TOKEN"],
        ["key", "k2"],
        ["type", "action"],
        ["message", "7"],
        ["value:handover.update", "C-1"],
        ["_multi", "done"],
        ["_multi", "none"],
        ["f.done", "documents"],
        ["f.done", "code"],
        ["f.reason", "<b>x</b>"],
        ["action", "handover.update"],
      ]),
    );
    expect(e).toMatchObject({
      type: "action",
      action: "handover.update",
      value: "C-1",
      sourceMessageId: "7",
      form: { done: ["documents", "code"], none: [], reason: "<b>x</b>" },
    });
  });

  it("takes a button's plain value and JSON actions", () => {
    expect(
      event(
        form([
          ["type", "action"],
          ["key", "k"],
          ["action", "case.status"],
          ["value", "C-1"],
        ]),
      ),
    ).toMatchObject({ action: "case.status", value: "C-1", form: {} });
    expect(
      event(
        json({ type: "action", key: "k", action: "quiz.answer", value: "A:1", form: { answer: ["a", "b"] } }),
      ),
    ).toMatchObject({ action: "quiz.answer", value: "A:1", form: { answer: ["a", "b"] } });
  });

  it("turns a person search into a search event", () => {
    expect(
      event(
        form([
          ["type", "search"],
          ["key", "s1"],
          ["action", "directory.search"],
          ["query", " 韩 "],
        ]),
      ),
    ).toMatchObject({ type: "search", action: "directory.search", query: "韩" });
  });

  it("refuses a missing, empty, too long or spaced idempotency key with 400", () => {
    expect(
      status(
        form([
          ["type", "message"],
          ["text", "hi"],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "message"],
          ["key", ""],
          ["text", "hi"],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "message"],
          ["key", "k".repeat(129)],
          ["text", "hi"],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "message"],
          ["key", "a b"],
          ["text", "hi"],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "message"],
          ["key", "k".repeat(128)],
          ["text", "hi"],
        ]),
      ),
    ).toBeUndefined();
  });

  it("refuses bad bodies, empty or long text, bad actions and values with 400", () => {
    expect(status({ ...form([]), headers: { "content-type": "text/plain" }, body: "type=message" })).toBe(
      "bad_request",
    );
    expect(status({ ...json({}), body: "{not json" })).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "message"],
          ["key", "k"],
          ["text", "   "],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "message"],
          ["key", "k"],
          ["text", "x".repeat(4001)],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "action"],
          ["key", "k"],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "action"],
          ["key", "k"],
          ["action", "<script>"],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "action"],
          ["key", "k"],
          ["action", "a.b"],
          ["value", "v".repeat(300)],
        ]),
      ),
    ).toBe("bad_request");
    expect(
      status(
        form([
          ["type", "action"],
          ["key", "k"],
          ["action", "a.b"],
          ["message", "x1"],
        ]),
      ),
    ).toBe("bad_request");
    expect(status(json({ type: "action", key: "k", action: "a.b", form: { x: 1 } }))).toBe("bad_request");
    expect(status(json({ type: "action", key: "k", action: "a.b", form: [] }))).toBe("bad_request");
  });

  it("ignores unknown event types", () => {
    expect(parseWebRequest(json({ type: "reaction", key: "k" })).kind).toBe("ignored");
    expect(parseWebRequest(form([["text", "no type"]])).kind).toBe("ignored");
  });

  it("needs the session it was verified with", () => {
    expect(
      status({
        ...form([
          ["type", "message"],
          ["key", "k"],
          ["text", "hi"],
        ]),
        session: undefined,
      }),
    ).toBe("unauthorized");
  });

  it("parses every recorded fixture", () => {
    const dir = path.join(import.meta.dirname, "../../test/fixtures/web");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const raw = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as WebRequest;
      const result = parseWebRequest({ ...raw, session, receivedAt });
      expect(result.kind, file).toBe(file.startsWith("ignored-") ? "ignored" : "events");
    }
  });
});
