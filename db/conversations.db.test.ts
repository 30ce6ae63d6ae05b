import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetDatabase, testDatabase } from "../test/helpers/db.ts";
import type { Database } from "./client.ts";
import {
  type ConversationKey,
  clearConversation,
  loadConversation,
  purgeExpiredConversations,
  saveConversation,
} from "./conversations.ts";

let database: Database;
const key: ConversationKey = { surface: "slack", chatId: "D1", principal: "employee:E1", kind: "notice" };
const t0 = new Date("2026-03-02T02:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
});

describe("conversation state", () => {
  it("is kept per surface, chat, person and kind until it expires", async () => {
    const { db } = database;
    await saveConversation(db, key, { step: "collecting" }, { now: t0, expiresAt: later(60_000) });
    await saveConversation(db, { ...key, kind: "quiz" }, { index: 1 }, { now: t0, expiresAt: later(60_000) });
    expect(await loadConversation(db, key, later(1000))).toEqual({ step: "collecting" });
    expect(await loadConversation(db, { ...key, chatId: "D2" }, later(1000))).toBeUndefined();
    await saveConversation(db, key, { step: "confirming" }, { now: later(2000), expiresAt: later(60_000) });
    expect(await loadConversation(db, key, later(3000))).toEqual({ step: "confirming" });
    expect(await loadConversation(db, key, later(60_000))).toBeUndefined();
    expect(await purgeExpiredConversations(db, later(60_000))).toBe(2);
  });

  it("clears one state and leaves the others", async () => {
    const { db } = database;
    await saveConversation(db, key, { a: 1 }, { now: t0, expiresAt: later(60_000) });
    await saveConversation(db, { ...key, kind: "quiz" }, { b: 2 }, { now: t0, expiresAt: later(60_000) });
    await clearConversation(db, key);
    expect(await loadConversation(db, key, t0)).toBeUndefined();
    expect(await loadConversation(db, { ...key, kind: "quiz" }, t0)).toEqual({ b: 2 });
  });
});
