import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import { type FakeSystem, newWebhookSecret, startFakeSystem } from "../../test/fakes/connector-system.ts";
import { crmHandoverKind } from "./crm/messages.ts";
import { ConnectorUnavailableError, postSignedJson, retryAfterSeconds } from "./outbound.ts";
import { connectorSender } from "./system-sender.ts";

const secret = newWebhookSecret();
let crm: FakeSystem;
const now = () => new Date();
const endpoint = () => ({ system: "crm", url: crm.url, secret, timeoutMs: 300 });
const post = () => postSignedJson(endpoint(), { messageId: "msg_1", payload: { hello: "世界" }, now: now() });

beforeEach(async () => {
  crm = await startFakeSystem({ secret });
});
afterEach(async () => {
  await crm.close();
});

describe("signed outbound calls", () => {
  it("POSTs signed JSON that the receiver verifies", async () => {
    await post();
    expect(crm.received).toEqual([{ webhookId: "msg_1", verified: true, payload: { hello: "世界" } }]);
  });

  it("turns a 5xx and a timeout into a retryable ConnectorUnavailableError", async () => {
    crm.answers.push({ status: 503 }, { status: 200, delayMs: 1000 });
    await expect(post()).rejects.toMatchObject({ name: "ConnectorUnavailableError", status: 503 });
    const started = Date.now();
    await expect(post()).rejects.toThrow(ConnectorUnavailableError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("turns a 429 into RateLimitedError with its Retry-After, as seconds or a date", async () => {
    crm.answers.push(
      { status: 429, headers: { "retry-after": "7" } },
      { status: 429, headers: { "retry-after": new Date(Date.now() + 30_000).toUTCString() } },
      { status: 429 },
    );
    const first = await post().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RateLimitedError);
    expect((first as RateLimitedError).retryAfterSeconds).toBe(7);
    const second = (await post().catch((e: unknown) => e)) as RateLimitedError;
    expect(second.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(second.retryAfterSeconds).toBeLessThanOrEqual(31);
    expect(((await post().catch((e: unknown) => e)) as RateLimitedError).retryAfterSeconds).toBeUndefined();
  });

  it("gives up at once on other 4xx answers; an unreachable host is retryable", async () => {
    crm.answers.push({ status: 400 });
    await expect(post()).rejects.toThrow(PermanentDeliveryError);
    await crm.close();
    await expect(post()).rejects.toThrow(/not reachable/);
  });

  it("reads Retry-After forms", () => {
    const at = new Date("2026-03-02T02:00:00Z");
    expect(retryAfterSeconds("120", at)).toBe(120);
    expect(retryAfterSeconds("Mon, 02 Mar 2026 02:01:00 GMT", at)).toBe(60);
    expect(retryAfterSeconds("yesterday-ish", at)).toBeUndefined();
    expect(retryAfterSeconds(null, at)).toBeUndefined();
  });
});

describe("the connector sender", () => {
  const item = {
    outboxId: 42,
    kind: crmHandoverKind,
    destination: "system:crm",
    dedupeKey: "k",
    urgency: "normal" as const,
    createdAt: new Date(),
  };
  const message = {
    kind: crmHandoverKind,
    recipient: { type: "system" as const, system: "crm" },
    destination: "system:crm",
    urgency: "normal" as const,
    data: { caseId: "c-1", employeeExternalId: "E1", plannedLastDay: "2026-04-01" },
    items: [{ ...item, recipient: { type: "system" as const, system: "crm" }, data: {} }],
  };

  it("sends the CRM handover request with a stable message id", async () => {
    const sender = connectorSender({ endpoints: { crm: endpoint() }, clock: { now } });
    expect(await sender.send(message)).toEqual({ reference: "msg_baton_42" });
    await sender.send(message);
    expect(crm.received.map((r) => r.webhookId)).toEqual(["msg_baton_42", "msg_baton_42"]);
    expect(crm.received[0]?.payload).toMatchObject({
      type: "handover.requested",
      data: {
        caseId: "c-1",
        employeeExternalId: "E1",
        actions: ["list-accounts", "revoke-access"],
        revokeAccessAt: "2026-04-01",
      },
    });
  });

  it("hands systems that are off to the fallback, and refuses unknown kinds for good", async () => {
    const recorded: string[] = [];
    const sender = connectorSender({
      endpoints: {},
      clock: { now },
      fallback: {
        send: async (m) => {
          recorded.push(m.destination);
          return { reference: "sink" };
        },
      },
    });
    expect(await sender.send(message)).toEqual({ reference: "sink" });
    expect(recorded).toEqual(["system:crm"]);
    const live = connectorSender({ endpoints: { crm: endpoint() }, clock: { now } });
    await expect(live.send({ ...message, kind: "connector.crm.unknown" })).rejects.toThrow(
      PermanentDeliveryError,
    );
  });
});
