import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  approvalEventFrame,
  type FakeDingTalkStream,
  startFakeDingTalkStream,
} from "../../test/fakes/dingtalk-stream.ts";
import {
  type CallbackHandler,
  createStreamClient,
  type EventAckStatus,
  parseStreamFrame,
  reconnectDelayMs,
  robotMessageTopic,
  type StreamClient,
  type StreamFrame,
} from "./stream.ts";

const appKey = "dingstream0key";
const appSecret = "stream-secret-0123456789-do-not-log";

let fake: FakeDingTalkStream;
let client: StreamClient | undefined;
const lines: string[] = [];
const logger = {
  info: (f: object, m: string) => lines.push(`info ${m} ${JSON.stringify(f)}`),
  warn: (f: object, m: string) => lines.push(`warn ${m} ${JSON.stringify(f)}`),
  error: (f: object, m: string) => lines.push(`error ${m} ${JSON.stringify(f)}`),
  debug: (f: object, m: string) => lines.push(`debug ${m} ${JSON.stringify(f)}`),
};

beforeAll(async () => {
  fake = await startFakeDingTalkStream({ appKey, appSecret });
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  await client?.stop();
  client = undefined;
  fake.reset();
  lines.length = 0;
});

function start(
  onEvent: (frame: StreamFrame) => Promise<EventAckStatus>,
  options: { secret?: string; callbacks?: Record<string, CallbackHandler> } = {},
): StreamClient {
  client = createStreamClient({
    clientId: appKey,
    clientSecret: options.secret ?? appSecret,
    apiUrl: fake.origin,
    onEvent,
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
    logger,
    backoffMs: 20,
    maxBackoffMs: 100,
  });
  client.start();
  return client;
}

const until = async (check: () => boolean, timeoutMs = 3_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("parseStreamFrame", () => {
  it("reads frames and refuses what is not one", () => {
    expect(
      parseStreamFrame(
        JSON.stringify({ type: "EVENT", headers: { messageId: "m", eventBornTime: 5 }, data: "{}" }),
      ),
    ).toEqual({ type: "EVENT", headers: { messageId: "m", eventBornTime: "5" }, data: "{}" });
    expect(parseStreamFrame("not json")).toBeUndefined();
    expect(parseStreamFrame("null")).toBeUndefined();
    expect(parseStreamFrame(JSON.stringify({ type: "OTHER", headers: {} }))).toBeUndefined();
    expect(parseStreamFrame(JSON.stringify({ type: "EVENT" }))).toBeUndefined();
  });

  it("backs off doubling, capped and jittered", () => {
    expect(reconnectDelayMs(1, 1000, 60_000, () => 0.5)).toBe(1000);
    expect(reconnectDelayMs(3, 1000, 60_000, () => 0.5)).toBe(4000);
    expect(reconnectDelayMs(30, 1000, 60_000, () => 0.5)).toBe(60_000);
    expect(reconnectDelayMs(30, 1000, 60_000, () => 0)).toBe(30_000);
    expect(reconnectDelayMs(30, 1000, 60_000, () => 0.999)).toBeLessThan(90_000);
  });
});

describe("the Stream client against the fake gateway", () => {
  it("opens a ticket with the app's credentials, subscribes to events and answers pings", async () => {
    start(async () => "SUCCESS");
    await fake.waitForConnections(fake.connections + 1);
    expect(fake.opens[0]?.body).toMatchObject({
      clientId: appKey,
      clientSecret: appSecret,
      subscriptions: [{ type: "EVENT", topic: "*" }],
    });
    expect(fake.upgrades.at(-1)).toMatchObject({ accepted: true });
    const data = JSON.stringify({ opaque: "echo-me" });
    const id = fake.ping(data);
    const answer = await fake.answer(id);
    expect(answer).toMatchObject({ code: 200, headers: { messageId: id }, data });
  });

  it("subscribes to the CALLBACK topics it handles, besides every event", async () => {
    start(async () => "SUCCESS", { callbacks: { [robotMessageTopic]: async () => {} } });
    await fake.waitForConnections(fake.connections + 1);
    expect(fake.opens[0]?.body.subscriptions).toEqual([
      { type: "EVENT", topic: "*" },
      { type: "CALLBACK", topic: "/v1.0/im/bot/messages/get" },
    ]);
  });

  it("answers a robot message only once its handler resolved; a throw leaves it unanswered", async () => {
    const handled: StreamFrame[] = [];
    const events: StreamFrame[] = [];
    let release: () => void = () => {};
    let fail = false;
    start(
      async (frame) => {
        events.push(frame);
        return "SUCCESS";
      },
      {
        callbacks: {
          [robotMessageTopic]: (frame) =>
            new Promise<void>((resolve, reject) => {
              handled.push(frame);
              if (fail) reject(new Error("the inbox is down"));
              else release = resolve;
            }),
        },
      },
    );
    await fake.waitForConnections(fake.connections + 1);
    const message = { msgId: "msgUNIT1", msgtype: "text", text: { content: "help" } };
    const id = fake.callback({ topic: robotMessageTopic, data: message });
    expect(await fake.answer(id, 200)).toBeUndefined();
    expect(handled).toHaveLength(1);
    expect(handled[0]?.type).toBe("CALLBACK");
    expect(handled[0]?.headers).toMatchObject({ topic: robotMessageTopic, messageId: id });
    expect(JSON.parse(handled[0]?.data ?? "{}")).toEqual(message);
    release();
    const answer = await fake.answer(id);
    expect(answer).toMatchObject({
      code: 200,
      message: "OK",
      headers: { messageId: id, contentType: "application/json" },
    });
    expect(JSON.parse(answer?.data ?? "")).toEqual({ response: {} });
    // Routed by topic: not an event.
    expect(events).toHaveLength(0);

    fail = true;
    const failed = fake.callback({ topic: robotMessageTopic, data: message });
    await until(() => handled.length === 2);
    expect(await fake.answer(failed, 300)).toBeUndefined();
    expect(lines.some((l) => l.startsWith("error") && l.includes("left unanswered"))).toBe(true);
    expect(client?.connected).toBe(true);
  });

  it("answers and drops CALLBACK topics it has no handler for", async () => {
    const handled: StreamFrame[] = [];
    start(async () => "SUCCESS", {
      callbacks: {
        [robotMessageTopic]: async (frame) => {
          handled.push(frame);
        },
      },
    });
    await fake.waitForConnections(fake.connections + 1);
    const card = fake.callback({ topic: "/v1.0/card/instances/callback", data: { outTrackId: "x" } });
    const answer = await fake.answer(card);
    expect(answer).toMatchObject({ code: 200, headers: { messageId: card } });
    expect(JSON.parse(answer?.data ?? "")).toEqual({});
    expect(handled).toHaveLength(0);
    expect(lines.some((l) => l.includes("callback ignored"))).toBe(true);
  });

  it("without handlers a robot message is answered and dropped, as before", async () => {
    start(async () => "SUCCESS");
    await fake.waitForConnections(fake.connections + 1);
    const id = fake.callback({ topic: robotMessageTopic, data: { msgId: "m" } });
    expect(JSON.parse((await fake.answer(id))?.data ?? "")).toEqual({});
  });

  it("a wrong secret is refused and retried with backoff, never logged", async () => {
    const before = fake.connections;
    start(async () => "SUCCESS", { secret: "wrong-secret-do-not-log" });
    await until(() => fake.opens.length >= 3);
    expect(fake.opens.every((o) => o.answer.status === 401)).toBe(true);
    expect(fake.connections).toBe(before);
    expect(client?.connected).toBe(false);
    expect(lines.some((l) => l.includes("ticket failed") && l.includes("401"))).toBe(true);
    expect(lines.join("\n")).not.toContain("wrong-secret-do-not-log");
  });

  it("acks an event only after the callback resolved, SUCCESS or LATER", async () => {
    let release: (status: EventAckStatus) => void = () => {};
    const seen: StreamFrame[] = [];
    start(
      (frame) =>
        new Promise((resolve) => {
          seen.push(frame);
          release = resolve;
        }),
    );
    await fake.waitForConnections(fake.connections + 1);
    const event = approvalEventFrame({ corpId: "dingcorp", processInstanceId: "p-1" });
    const id = fake.push(event);
    expect(await fake.answer(id, 200)).toBeUndefined();
    expect(seen[0]?.headers).toMatchObject({ eventType: "bpms_instance_change", eventCorpId: "dingcorp" });
    expect(JSON.parse(seen[0]?.data ?? "{}")).toMatchObject({ processInstanceId: "p-1" });
    release("SUCCESS");
    const answer = await fake.answer(id);
    expect(answer).toMatchObject({ code: 200, message: "OK", headers: { messageId: id } });
    expect(JSON.parse(answer?.data ?? "{}")).toMatchObject({ status: "SUCCESS" });

    const later = fake.push(event);
    release("LATER");
    await until(() => seen.length === 2);
    release("LATER");
    expect(JSON.parse((await fake.answer(later))?.data ?? "{}")).toMatchObject({ status: "LATER" });
  });

  it("a throwing callback is answered LATER; a malformed frame is logged and the client goes on", async () => {
    let calls = 0;
    start(async () => {
      calls += 1;
      if (calls === 1) throw new Error("database down");
      return "SUCCESS";
    });
    await fake.waitForConnections(fake.connections + 1);
    fake.sendRaw("{{{ not json");
    fake.sendRaw(JSON.stringify({ type: "EVENT" }));
    const first = fake.push(approvalEventFrame({ corpId: "c", processInstanceId: "p" }));
    expect(JSON.parse((await fake.answer(first))?.data ?? "{}")).toMatchObject({ status: "LATER" });
    const second = fake.push(approvalEventFrame({ corpId: "c", processInstanceId: "p" }));
    expect(JSON.parse((await fake.answer(second))?.data ?? "{}")).toMatchObject({ status: "SUCCESS" });
    expect(lines.filter((l) => l.includes("malformed"))).toHaveLength(2);
    expect(client?.connected).toBe(true);
  });

  it("reconnects with a new ticket after a disconnect frame and after the socket dies", async () => {
    const seen: string[] = [];
    start(async (frame) => {
      seen.push(frame.headers.eventId ?? "");
      return "SUCCESS";
    });
    const base = fake.connections;
    await fake.waitForConnections(base + 1);
    fake.disconnect();
    await fake.waitForConnections(base + 2);
    fake.drop();
    await fake.waitForConnections(base + 3);
    const tickets = fake.upgrades.map((u) => u.ticket);
    expect(new Set(tickets).size).toBe(tickets.length);
    expect(fake.upgrades.every((u) => u.accepted)).toBe(true);
    await until(() => client?.connected === true);
    const id = fake.push(approvalEventFrame({ corpId: "c", processInstanceId: "p", eventId: "after-drop" }));
    expect(JSON.parse((await fake.answer(id))?.data ?? "{}")).toMatchObject({ status: "SUCCESS" });
    expect(seen).toEqual(["after-drop"]);
  });

  it("a gateway that fails is retried; stop() closes and no reconnect follows", async () => {
    fake.failOpen(503, 2);
    const base = fake.connections;
    start(async () => "SUCCESS");
    await fake.waitForConnections(base + 1);
    expect(fake.opens.map((o) => o.answer.status)).toEqual([503, 503, 200]);
    await client?.stop();
    expect(client?.connected).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect(fake.connections).toBe(base + 1);
    expect(fake.opens).toHaveLength(3);
  });

  it("keeps a connection that answers its pings and reopens one that went silent", async () => {
    const silent = await startFakeDingTalkStream({ appKey, appSecret, autoPong: false });
    const options = {
      clientId: appKey,
      clientSecret: appSecret,
      onEvent: async () => "SUCCESS" as const,
      logger,
    };
    const alive = createStreamClient({ ...options, apiUrl: fake.origin, keepAliveMs: 40, backoffMs: 10 });
    const dead = createStreamClient({ ...options, apiUrl: silent.origin, keepAliveMs: 40, backoffMs: 10 });
    try {
      const base = fake.connections;
      alive.start();
      dead.start();
      await fake.waitForConnections(base + 1);
      await silent.waitForConnections(1);
      // Silent for two rounds of pings → terminated and reopened with a new ticket.
      await silent.waitForConnections(2, 2_000);
      expect(fake.connections).toBe(base + 1);
      expect(alive.connected).toBe(true);
      expect(lines.some((l) => l.includes("silent too long"))).toBe(true);
    } finally {
      await alive.stop();
      await dead.stop();
      await silent.close();
    }
  });
});
