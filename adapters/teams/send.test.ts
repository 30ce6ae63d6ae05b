import { describe, expect, it } from "vitest";
import {
  type NotificationSender,
  type OutgoingMessage,
  PermanentDeliveryError,
  RateLimitedError,
} from "../../core/notifications/delivery.ts";
import type { Recipient } from "../../core/notifications/notification.ts";
import { TeamsApiError, type TeamsConnector, type TeamsReference } from "./gateway.ts";
import { teamsAdapter, verifyTeamsRequest } from "./index.ts";
import type { StoredReference } from "./reference.ts";
import {
  deliveryErrorOf,
  sourceKeyOf,
  type TeamsSendStore,
  teamsChannelSender,
  teamsPersonSender,
} from "./send.ts";

const reference = (conversation: string, user?: string): TeamsReference => ({
  channelId: "msteams",
  serviceUrl: "https://smba.trafficmanager.net/apac/",
  conversation: { id: conversation },
  bot: { id: "28:bot" },
  ...(user ? { user: { id: user } } : {}),
});

function message(recipient: Recipient, outboxId = 7): OutgoingMessage {
  const destination = recipient.type === "person" ? `person:${recipient.principal}` : "channel:hr:*";
  const item = {
    outboxId,
    kind: "step.reminder",
    recipient,
    destination,
    data: { caseId: "C-1", step: "handover" },
    dedupeKey: `d-${outboxId}`,
    urgency: "normal" as const,
    createdAt: new Date(),
  };
  return { kind: item.kind, recipient, destination, data: item.data, urgency: "normal", items: [item] };
}

type World = {
  log: string[];
  people: Map<string, { teamsId: string; reference?: TeamsReference }>;
  groups: Map<string, TeamsReference>;
  bound: { platform: string; channelId: string }[];
  delivered: Set<string>;
  alerts: string[];
  failures: TeamsApiError[];
};

function world(): World {
  return {
    log: [],
    people: new Map(),
    groups: new Map(),
    bound: [],
    delivered: new Set(),
    alerts: [],
    failures: [],
  };
}

function parts(w: World) {
  const store: TeamsSendStore = {
    person: async (principal) => w.people.get(principal),
    newChatPlace: async () => ({
      serviceUrl: "https://smba.trafficmanager.net/apac/",
      botId: "28:bot",
      tenantId: "t",
    }),
    saveReference: async (stored: StoredReference) => {
      w.log.push(`save ${stored.key}`);
    },
    dropReference: async (key) => {
      w.log.push(`drop ${key}`);
    },
    groupReference: async (id) => w.groups.get(id),
    boundChannels: async () => w.bound,
    delivered: async (source, conversation) => w.delivered.has(`${source}|${conversation}`),
    recordDelivery: async (source, conversation) => {
      w.delivered.add(`${source}|${conversation}`);
    },
    localeOf: async () => "en",
    alertNotInstalled: async (principal) => {
      w.alerts.push(principal);
    },
  };
  const connector: TeamsConnector = {
    async post(ref, activity) {
      const failure = w.failures.shift();
      if (failure) throw failure;
      w.log.push(`post ${ref.conversation.id} ${(activity.attachments as unknown[]).length}`);
      return { id: `m-${w.log.length}` };
    },
    async openPersonalChat(input) {
      const failure = w.failures.shift();
      if (failure) throw failure;
      w.log.push(`open ${input.userId}`);
      return reference(`a:new-${input.userId}`, input.userId);
    },
  };
  const next: NotificationSender = {
    async send(m) {
      w.log.push(`next ${m.recipient.type}`);
      return { reference: "sink:1" };
    },
  };
  const deps = { store, connector: () => connector, log: { info() {}, warn() {} } };
  return { person: teamsPersonSender(deps, next), channel: teamsChannelSender(deps, next) };
}

const alice: Recipient = { type: "person", principal: "employee:E1" };

describe("Teams senders", () => {
  it("post a person's notification after `next`, to their stored chat, once per outbox row", async () => {
    const w = world();
    w.people.set("employee:E1", { teamsId: "29:e1", reference: reference("a:chat-e1", "29:e1") });
    const { person } = parts(w);
    const result = await person.send(message(alice));
    expect(w.log).toEqual(["next person", "post a:chat-e1 1"]);
    expect(result.reference).toBe("sink:1 teams:m-2");
    await person.send(message(alice));
    expect(w.log).toEqual(["next person", "post a:chat-e1 1", "next person"]);
  });

  it("leave people without a Teams identity to `next`", async () => {
    const w = world();
    const { person } = parts(w);
    await person.send(message(alice));
    expect(w.log).toEqual(["next person"]);
  });

  it("open a chat by the 29: id; an Entra id alone or a 403 is 'not installed': permanent, HR told", async () => {
    const w = world();
    w.people.set("employee:E1", { teamsId: "29:e1" });
    const { person } = parts(w);
    await person.send(message(alice));
    expect(w.log).toEqual(["next person", "open 29:e1", "save user:29:e1", "post a:new-29:e1 1"]);

    w.people.set("employee:E1", { teamsId: "6a1b2c3d-0000-4000-8000-00000000e101" });
    await expect(person.send(message(alice, 8))).rejects.toBeInstanceOf(PermanentDeliveryError);
    w.people.set("employee:E1", { teamsId: "29:e1" });
    w.failures.push(new TeamsApiError("no", { status: 403 }));
    await expect(person.send(message(alice, 9))).rejects.toMatchObject({
      name: "PermanentDeliveryError",
      hrAlerted: true, // the dispatcher adds no dead-letter alert of its own
    });
    expect(w.alerts).toEqual(["employee:E1", "employee:E1"]);
  });

  it("map the connector's refusals: 429 → rate limited with Retry-After, 5xx/404 retried, 400 permanent", () => {
    const limited = deliveryErrorOf(new TeamsApiError("slow", { status: 429, retryAfterSeconds: 12 }));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds).toBe(12);
    for (const status of [500, 502, 503, 404, 401, undefined]) {
      const mapped = deliveryErrorOf(new TeamsApiError("x", { status }));
      expect(mapped).not.toBeInstanceOf(PermanentDeliveryError);
      expect(mapped).not.toBeInstanceOf(RateLimitedError);
    }
    expect(deliveryErrorOf(new TeamsApiError("x", { status: 400 }))).toMatchObject({
      name: "PermanentDeliveryError",
      hrAlerted: false, // nobody told HR: the dispatcher's dead-letter alert does
    });
    expect(deliveryErrorOf(new TeamsApiError("x", { status: 413 }))).toBeInstanceOf(PermanentDeliveryError);
  });

  it("post a channel message to each bound Teams channel once, after `next`, skipping other platforms", async () => {
    const w = world();
    w.bound = [
      { platform: "slack", channelId: "C1" },
      { platform: "teams", channelId: "19:a@thread.tacv2;messageid=1" },
      { platform: "teams", channelId: "19:b@thread.tacv2" },
      { platform: "teams", channelId: "19:gone@thread.tacv2" },
      { platform: "teams", channelId: "19:unknown@thread.tacv2" },
    ];
    for (const id of ["19:a@thread.tacv2", "19:b@thread.tacv2", "19:gone@thread.tacv2"])
      w.groups.set(id, reference(id));
    const { channel } = parts(w);
    const hr: Recipient = { type: "channel", purpose: "hr" };
    // a is posted; b fails for now (502); the bot was removed from "gone" (403: skipped, not retried).
    w.failures.push(
      undefined as never,
      new TeamsApiError("later", { status: 502 }),
      new TeamsApiError("no", { status: 403 }),
    );
    await expect(channel.send(message(hr))).rejects.toMatchObject({ status: 502 });
    expect(w.log).toEqual(["next channel", "post 19:a@thread.tacv2 1"]);
    // The retry posts only b ("gone" refused for good, "unknown" never seen by the bot).
    w.failures.push(undefined as never, new TeamsApiError("no", { status: 403 }));
    const result = await channel.send(message(hr));
    expect(w.log).toEqual([
      "next channel",
      "post 19:a@thread.tacv2 1",
      "next channel",
      "post 19:b@thread.tacv2 1",
    ]);
    expect(result.reference).toMatch(/^sink:1 teams:m-\d+$/);
  });

  it("key posts by the outbox rows they carry", () => {
    expect(sourceKeyOf(message(alice, 42))).toBe("outbox:42");
  });
});

describe("the Teams surface adapter", () => {
  it("asks for a bearer JWT before botbuilder checks it (unless in the local unauthenticated mode)", () => {
    const request = (authorization?: string) => ({
      method: "POST",
      url: "https://baton.example.com/webhooks/teams",
      headers: (authorization ? { authorization } : {}) as Record<string, string>,
      body: "{}",
    });
    expect(verifyTeamsRequest(request(), { authenticated: true })).toMatchObject({ ok: false, status: 401 });
    expect(verifyTeamsRequest(request("Basic x"), { authenticated: true }).ok).toBe(false);
    expect(verifyTeamsRequest(request("Bearer a.b.c"), { authenticated: true }).ok).toBe(true);
    expect(verifyTeamsRequest(request(), { authenticated: false }).ok).toBe(true);
    const adapter = teamsAdapter({ authenticated: true });
    expect(adapter.name).toBe("teams");
    expect(
      adapter.render({ type: "card", header: { title: "Hi", tone: "info" }, children: [] }).version,
    ).toBe("1.5");
  });
});
