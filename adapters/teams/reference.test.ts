import { describe, expect, it } from "vitest";
import { aadObjectId, activity, botId, tenantId, userId } from "../../test/fakes/teams.ts";
import { isLoopbackServiceUrl } from "./gateway.ts";
import { baseConversationId, isRemoval, referenceFromActivity, tenantOf } from "./reference.ts";
import { idempotencyKeyOf } from "./turn.ts";

describe("Teams conversation references", () => {
  it("keep a person's 1:1 chat by their ids, without their name", () => {
    const stored = referenceFromActivity(activity());
    expect(stored).toEqual({
      key: `user:${userId}`,
      kind: "personal",
      userId,
      aadObjectId,
      conversationId: "a:1Xyz-personal-chat-with-li-lei",
      tenantId,
      serviceUrl: "https://smba.trafficmanager.net/apac/",
      reference: {
        channelId: "msteams",
        serviceUrl: "https://smba.trafficmanager.net/apac/",
        conversation: {
          id: "a:1Xyz-personal-chat-with-li-lei",
          conversationType: "personal",
          tenantId,
          isGroup: false,
        },
        bot: { id: botId, name: "Baton" },
        user: { id: userId, aadObjectId },
        locale: "zh-CN",
      },
    });
    expect(JSON.stringify(stored)).not.toContain("Li Lei");
  });

  it("keep a channel by its id without the thread, and nothing for our own activities", () => {
    const thread = activity({
      conversation: {
        conversationType: "channel",
        tenantId,
        id: "19:abc@thread.tacv2;messageid=1772410400000",
      },
    });
    expect(referenceFromActivity(thread)).toMatchObject({
      key: "chat:19:abc@thread.tacv2",
      kind: "group",
      conversationId: "19:abc@thread.tacv2",
      reference: { conversation: { id: "19:abc@thread.tacv2", isGroup: true } },
    });
    expect(referenceFromActivity(thread)?.reference.user).toBeUndefined();
    expect(referenceFromActivity(activity({ from: { id: botId } }))).toBeUndefined();
    expect(referenceFromActivity(activity({ serviceUrl: undefined }))).toBeUndefined();
    expect(baseConversationId("19:x@thread.v2")).toBe("19:x@thread.v2");
  });

  it("know when the app was removed", () => {
    expect(isRemoval(activity({ type: "installationUpdate", action: "remove" }))).toBe(true);
    expect(isRemoval(activity({ type: "installationUpdate", action: "add" }))).toBe(false);
    expect(isRemoval(activity({ type: "conversationUpdate", membersRemoved: [{ id: botId }] }))).toBe(true);
    expect(isRemoval(activity({ type: "conversationUpdate", membersRemoved: [{ id: userId }] }))).toBe(false);
  });

  it("read the tenant from channelData, else the conversation", () => {
    expect(tenantOf(activity())).toBe(tenantId);
    expect(tenantOf(activity({ channelData: {} }))).toBe(tenantId);
    expect(tenantOf(activity({ channelData: { tenant: { id: "other" } } }))).toBe("other");
  });

  it("key an activity by its id within its conversation", () => {
    const a = idempotencyKeyOf("1772410500123", "a:1chat-a");
    expect(a).toBe(idempotencyKeyOf("1772410500123", "a:1chat-a"));
    expect(a).not.toBe(idempotencyKeyOf("1772410500123", "a:1chat-b"));
    expect(a.startsWith("1772410500123@")).toBe(true);
  });

  it("tell loopback service URLs (the local unauthenticated mode) from others", () => {
    for (const url of ["http://127.0.0.1:3978/", "http://localhost:56000/", "http://[::1]:8080/x"])
      expect(isLoopbackServiceUrl(url), url).toBe(true);
    for (const url of [
      "https://smba.trafficmanager.net/amer/",
      "http://127.0.0.1.evil.example/",
      "file:///x",
      "nope",
    ])
      expect(isLoopbackServiceUrl(url), url).toBe(false);
  });
});
