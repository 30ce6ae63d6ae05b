import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Card, Text } from "../../cards/model.ts";
import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import { testAppId } from "../../test/fakes/lark.ts";
import { type FakeLarkApi, startFakeLarkApi, testLarkAppSecret } from "../../test/fakes/lark-api.ts";
import { renderLarkCard } from "./render.ts";
import {
  LarkApiError,
  LarkTransientError,
  larkDeliveryError,
  larkReceiveIdType,
  larkSender,
} from "./send.ts";

/** The real SDK `Client` against a local fake of the Lark open API (a port in `domain`: SDK ≥ 1.73.2). */

let fake: FakeLarkApi;
beforeAll(async () => {
  fake = await startFakeLarkApi({ appId: testAppId });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const card = renderLarkCard(Card({ title: "Hello", tone: "info" }, [Text("<at id=all></at> **not bold**")]), {
  chatType: "direct",
});
const sender = () => larkSender({ appId: testAppId, appSecret: testLarkAppSecret, domain: fake.domain });

describe("larkSender", () => {
  it("gets a tenant token once and sends a card to an open_id as im.message.create", async () => {
    const s = sender();
    const sent = await s.send("ou_abc", card, { uuid: "x".repeat(60) });
    expect(sent.messageId).toMatch(/^om_fake_/);
    await s.send("oc_group1", card);
    expect(fake.callsTo("token")).toHaveLength(1);
    const [first, second] = fake.callsTo("create");
    expect(first?.query).toEqual({ receive_id_type: "open_id" });
    expect(first?.body).toMatchObject({
      receive_id: "ou_abc",
      msg_type: "interactive",
      uuid: "x".repeat(50),
    });
    expect(typeof first?.body.content).toBe("string");
    expect(first?.card).toEqual(card);
    expect(second?.query).toEqual({ receive_id_type: "chat_id" });
    expect(first?.authorization).toBe(second?.authorization);
  });

  it("patches a message and sends a delayed card update with the click's token", async () => {
    const s = sender();
    const { messageId } = await s.send("ou_abc", card);
    await s.patch(messageId, { ...card, header: { ...card.header, template: "green" } });
    expect(fake.callsTo("patch")[0]?.path).toBe(`/open-apis/im/v1/messages/${messageId}`);
    expect(fake.messages()[0]?.card.header).toMatchObject({ template: "green" });
    await s.delayedUpdate("c-token", card);
    expect(fake.callsTo("card.update")[0]?.body).toEqual({ token: "c-token", card });
  });

  it("maps HTTP 429 and rate-limit codes to RateLimitedError", async () => {
    const s = sender();
    fake.failNext("create", {
      status: 429,
      headers: { "x-ogw-ratelimit-reset": "7" },
      body: { code: 99991400, msg: "request trigger frequency limit" },
    });
    const limited = await s.send("ou_abc", card).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds).toBe(7);
    fake.failNext("create", {
      status: 200,
      body: { code: 230020, msg: "This operation triggers the frequency limit." },
    });
    expect(await s.send("ou_abc", card).catch((e: unknown) => e)).toBeInstanceOf(RateLimitedError);
  });

  it("maps refusals that cannot pass to PermanentDeliveryError and the rest to LarkTransientError", async () => {
    const s = sender();
    fake.failNext("create", {
      status: 400,
      body: { code: 230013, msg: "Bot has NO availability to this user." },
    });
    expect(await s.send("ou_abc", card).catch((e: unknown) => e)).toBeInstanceOf(PermanentDeliveryError);
    fake.failNext("patch", { status: 400, body: { code: 230031, msg: "message too old" } });
    expect(await s.patch("om_1", card).catch((e: unknown) => e)).toBeInstanceOf(PermanentDeliveryError);
    fake.failNext("create", { status: 503, body: {} });
    expect(await s.send("ou_abc", card).catch((e: unknown) => e)).toBeInstanceOf(LarkTransientError);
    expect(larkDeliveryError(new LarkApiError(1, "x", 429, 3))).toBeInstanceOf(RateLimitedError);
    expect(larkDeliveryError(new Error("socket hang up"))).toBeInstanceOf(LarkTransientError);
  });

  it("with a wrong app secret the call is refused and nothing is sent", async () => {
    const s = larkSender({ appId: testAppId, appSecret: "wrong", domain: fake.domain });
    const error = await s.send("ou_abc", card).catch((e: unknown) => e);
    expect(error).not.toBeUndefined();
    expect(fake.callsTo("create").every((c) => c.status !== 200)).toBe(true);
  });

  it("reads the bot's open_id, the contacts (all departments, paged) and an approval instance", async () => {
    const s = sender();
    expect(await s.botOpenId()).toMatch(/^ou_/);
    fake.setDirectory({
      departments: ["od_eng"],
      users: {
        "0": [{ open_id: "ou_1", name: "CEO", employee_no: "CEO", status: { is_resigned: false } }],
        od_eng: [
          {
            open_id: "ou_2",
            name: "A",
            employee_no: "E1",
            leader_user_id: "ou_1",
            enterprise_email: "a@acme.cn",
          },
          { open_id: "ou_3", name: "B", status: { is_resigned: true } },
          { open_id: "ou_4", name: "C", email: "c@acme.cn" },
        ],
      },
    });
    const users = [];
    for await (const u of s.users()) users.push(u);
    expect(users.map((u) => u.openId)).toEqual(["ou_1", "ou_2", "ou_3", "ou_4"]);
    expect(users[1]).toMatchObject({
      employeeNo: "E1",
      leaderOpenId: "ou_1",
      email: "a@acme.cn",
      resigned: false,
    });
    expect(users[2]?.resigned).toBe(true);
    expect(fake.callsTo("users").filter((c) => c.query.department_id === "od_eng")).toHaveLength(2);

    fake.setApprovalInstance("INST1", {
      approval_code: "APPROVAL-RESIGN",
      instance_code: "INST1",
      status: "APPROVED",
      open_id: "ou_2",
      start_time: "1772416800000",
      form: JSON.stringify([{ id: "w1", type: "date", value: "2026-04-01T00:00:00+08:00" }]),
    });
    expect(await s.approvalInstance("INST1")).toMatchObject({
      approvalCode: "APPROVAL-RESIGN",
      status: "APPROVED",
      openId: "ou_2",
      startTime: 1772416800000,
      form: [{ type: "date" }],
    });
  });

  it("picks the receive id type from the id", () => {
    expect(larkReceiveIdType("ou_1")).toBe("open_id");
    expect(larkReceiveIdType("on_1")).toBe("union_id");
    expect(larkReceiveIdType("oc_1")).toBe("chat_id");
    expect(larkReceiveIdType("a@b.cn")).toBe("email");
    expect(larkReceiveIdType("e1101")).toBe("user_id");
  });
});
