import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { help } from "../../cards/templates/general.ts";
import { translate } from "../../core/messages/index.ts";
import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import { type FakeSlackApi, startFakeSlackApi } from "../../test/fakes/slack-api.ts";
import { renderMessage, renderModal } from "./render.ts";
import { type SlackSender, SlackTransientError, slackDeliveryError, slackSender } from "./send.ts";

let fake: FakeSlackApi;
let sender: SlackSender;
const silent = { debug() {}, warn() {}, error() {} };
const message = renderMessage(help({ roles: ["employee"] }, { locale: "en", t: translate }));

beforeAll(async () => {
  fake = await startFakeSlackApi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  sender = slackSender({ token: "xoxb-test", apiUrl: fake.apiUrl, logger: silent });
});

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

describe("the Slack sender (Bolt's WebClient against a local fake)", () => {
  it("posts with the bot token, parse none, the blocks and the fallback text", async () => {
    const posted = await sender.post("C0HR", message, { threadTs: "1.2" });
    expect(posted).toEqual({ channel: "C0HR", ts: expect.stringMatching(/^\d+\.\d+$/) });
    const [call] = fake.callsTo("chat.postMessage");
    expect(call?.token).toBe("xoxb-test");
    expect(call?.params).toMatchObject({
      channel: "C0HR",
      parse: "none",
      unfurl_links: "false",
      thread_ts: "1.2",
      text: message.text,
      blocks: message.blocks,
    });
  });

  it("opens a DM once per person (conversations.open), then posts into it", async () => {
    await sender.direct("U0LILEI", message);
    await sender.direct("U0LILEI", message);
    expect(fake.callsTo("conversations.open")).toHaveLength(1);
    expect(fake.callsTo("conversations.open")[0]?.params.users).toBe("U0LILEI");
    expect(fake.callsTo("chat.postMessage").map((c) => c.params.channel)).toEqual(["D-U0LILEI", "D-U0LILEI"]);
  });

  it("updates in place, opens modals, answers response_urls on Slack hosts only", async () => {
    await sender.update("D1", "1772410500.000100", message);
    expect(fake.callsTo("chat.update")[0]?.params).toMatchObject({ channel: "D1", ts: "1772410500.000100" });
    const card = help({ roles: ["employee"] }, { locale: "en", t: translate });
    const opened = await sender.openModal("trigger-1", renderModal(card, "baton"));
    expect(opened.viewId).toMatch(/^V/);
    expect(fake.callsTo("views.open")[0]?.params).toMatchObject({
      trigger_id: "trigger-1",
      view: { type: "modal", callback_id: "baton" },
    });
    await sender.respond(fake.responseUrl("r1"), message, { replaceOriginal: true });
    expect(fake.responses[0]?.body).toMatchObject({ replace_original: true, response_type: "ephemeral" });
    const refused = await failure(() => sender.respond("https://evil.example/hook", message));
    expect(refused).toBeInstanceOf(PermanentDeliveryError);
    expect(fake.responses).toHaveLength(1);
  });

  it("maps 429 with Retry-After, ok:false and 5xx to the dispatcher's errors", async () => {
    fake.failNext("chat.postMessage", { status: 429, headers: { "retry-after": "7" }, body: { ok: false } });
    const limited = await failure(() => sender.post("C1", message));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterSeconds).toBe(7);

    fake.failNext("chat.postMessage", { body: { ok: false, error: "ratelimited" } });
    expect(await failure(() => sender.post("C1", message))).toBeInstanceOf(RateLimitedError);

    for (const code of ["channel_not_found", "not_in_channel", "invalid_blocks", "user_not_found"]) {
      fake.failNext("chat.postMessage", { body: { ok: false, error: code } });
      const dead = await failure(() => sender.post("C1", message));
      expect(dead, code).toBeInstanceOf(PermanentDeliveryError);
      expect(dead.message).toContain(code);
    }

    fake.failNext("chat.postMessage", { status: 503, body: { ok: false } });
    expect(await failure(() => sender.post("C1", message))).toBeInstanceOf(SlackTransientError);
    fake.failNext("chat.postMessage", { body: { ok: false, error: "internal_error" } });
    expect(await failure(() => sender.post("C1", message))).toBeInstanceOf(SlackTransientError);
    // The client never retries by itself: one call per failure above, and the next one succeeds.
    expect(fake.callsTo("chat.postMessage")).toHaveLength(8);
    await expect(sender.post("C1", message)).resolves.toMatchObject({ channel: "C1" });
  });

  it("maps response_url failures too", async () => {
    fake.failNext("response_url", { status: 404, body: { ok: false } });
    expect(await failure(() => sender.respond(fake.responseUrl("x"), message))).toBeInstanceOf(
      PermanentDeliveryError,
    );
    fake.failNext("response_url", { status: 500, body: {} });
    expect(await failure(() => sender.respond(fake.responseUrl("x"), message))).toBeInstanceOf(
      SlackTransientError,
    );
    fake.failNext("response_url", { status: 200, body: { ok: false, error: "expired_url" } });
    expect(await failure(() => sender.respond(fake.responseUrl("x"), message))).toBeInstanceOf(
      PermanentDeliveryError,
    );
  });

  it("reads every page of users.list", async () => {
    fake.setMembers([
      [{ id: "U1", team_id: "T0ACME", profile: { email: "a@acme.example", real_name: "A" } }],
      [
        { id: "U2", team_id: "T0ACME", is_restricted: true, profile: {} },
        { id: "B1", is_bot: true },
      ],
    ]);
    const members = [];
    for await (const m of sender.members()) members.push(m);
    expect(members.map((m) => [m.id, m.guest, m.bot])).toEqual([
      ["U1", false, false],
      ["U2", true, false],
      ["B1", false, true],
    ]);
    expect(members[0]).toMatchObject({ email: "a@acme.example", realName: "A", teamId: "T0ACME" });
    expect(fake.callsTo("users.list")).toHaveLength(2);
  });

  it("keeps unknown errors transient and never echoes Slack's text", () => {
    expect(slackDeliveryError(new Error("boom"))).toBeInstanceOf(SlackTransientError);
  });
});
