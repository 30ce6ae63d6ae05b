import { beforeEach, describe, expect, it } from "vitest";
import type { CardNode } from "../../cards/model.ts";
import type { OutgoingMessage, SenderEntry } from "../../core/notifications/delivery.ts";
import { bindChannel } from "../../db/channels.ts";
import { recallPost } from "../../db/posted-messages.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { boundChannelEntry, PostedMemory, postedMessagesPurgeJob } from "./posted-memory.ts";

const database = await testDatabase();
const at = new Date("2026-03-02T02:00:00Z");

const message: OutgoingMessage = {
  kind: "hr.alert",
  recipient: { type: "channel", purpose: "hr" },
  destination: "channel:hr:*",
  data: { alert: "outbox.dead" },
  urgency: "normal",
  items: [
    {
      outboxId: 7,
      kind: "hr.alert",
      recipient: { type: "channel", purpose: "hr" },
      destination: "channel:hr:*",
      data: {},
      dedupeKey: "k",
      urgency: "normal",
      createdAt: at,
    },
  ],
};

const next: SenderEntry = {
  sender: { send: async () => ({ reference: "sink:1" }) },
  rate: { ratePerSecond: 1, burst: 1 },
};

beforeEach(async () => {
  await resetDatabase(database);
  for (const [platform, channelId] of [
    ["slack", "C1"],
    ["slack", "C2"],
    ["lark", "oc_1"],
  ] as const) {
    await bindChannel(database.db, { platform, channelId, purpose: "hr", actor: "employee:E1301", at });
  }
});

describe("boundChannelEntry", () => {
  it("posts to its platform's bound channels only, and a retry skips the channels already posted to", async () => {
    const posted: string[] = [];
    let calls = 0;
    let failSecond = true;
    const entry = boundChannelEntry({
      db: database.db,
      platform: "slack",
      rate: { ratePerSecond: 1, burst: 3 },
      next,
      async post(channelId: string, card: CardNode) {
        calls += 1;
        if (failSecond && calls === 2) throw new Error("platform down");
        expect(card.header.title).not.toBe("");
        posted.push(channelId);
        return `slack:${channelId}`;
      },
    });
    await expect(entry.sender.send(message)).rejects.toThrow("platform down");
    expect(posted).toHaveLength(1);
    const first = posted[0];
    failSecond = false;
    const result = await entry.sender.send(message);
    // The channel posted before the failure is not posted again.
    expect(posted.filter((c) => c === first)).toHaveLength(1);
    expect(posted.sort()).toEqual(["C1", "C2"]);
    expect(posted).not.toContain("oc_1");
    expect(result.reference?.split(" ").sort()).toEqual(["sink:1", "slack:C1", "slack:C2"]);
  });

  it("remembers across a restart: a new sender (another process) does not post to channels already posted to", async () => {
    const posted: string[] = [];
    const build = (failing: boolean) =>
      boundChannelEntry({
        db: database.db,
        platform: "slack",
        rate: { ratePerSecond: 1, burst: 3 },
        next,
        async post(channelId: string) {
          if (failing && posted.length === 1) throw new Error("platform down");
          posted.push(channelId);
          return `slack:${channelId}`;
        },
      });
    await expect(build(true).sender.send(message)).rejects.toThrow("platform down");
    expect(posted).toHaveLength(1);
    // The process restarts: a fresh sender, nothing in memory.
    const result = await build(false).sender.send(message);
    expect(posted.sort()).toEqual(["C1", "C2"]);
    expect(result.reference?.split(" ").sort()).toEqual(["sink:1", "slack:C1", "slack:C2"]);
    // Another message (another outbox row) is posted afresh.
    const other = { ...message, items: message.items.map((i) => ({ ...i, outboxId: 8 })) };
    await build(false).sender.send(other);
    expect(posted.sort()).toEqual(["C1", "C1", "C2", "C2"]);
  });

  it("forgets posts after 30 days (housekeeping)", async () => {
    const memory = new PostedMemory(database.db, "test", () => at);
    const key = memory.key(message, "C1");
    await memory.set(key, "slack:C1");
    expect(await recallPost(database.db, key)).toBe("slack:C1");
    await postedMessagesPurgeJob({ database }).run(new Date(at.getTime() + 29 * 86_400_000));
    expect(await recallPost(database.db, key)).toBe("slack:C1");
    await postedMessagesPurgeJob({ database }).run(new Date(at.getTime() + 31 * 86_400_000));
    expect(await recallPost(database.db, key)).toBeUndefined();
  });

  it("passes person messages through to the next sender untouched", async () => {
    const entry = boundChannelEntry({
      db: database.db,
      platform: "slack",
      rate: { ratePerSecond: 1, burst: 3 },
      next,
      post: async () => {
        throw new Error("must not post");
      },
    });
    const person = { ...message, recipient: { type: "person" as const, principal: "employee:E1" } };
    expect(await entry.sender.send(person)).toEqual({ reference: "sink:1" });
  });
});
