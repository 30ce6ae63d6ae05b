import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { outbox } from "../../../db/schema/index.ts";
import {
  apiJson,
  type Console,
  evidence,
  freshConsoleEachTest,
  get,
  login,
  post,
  type Session,
  textOf,
} from "../../../test/helpers/hr-console.ts";

let h: Console;
let hr: Session;

freshConsoleEachTest(async (fresh) => {
  h = fresh;
  hr = await login(h.t, "employee:HR1");
});

type Channel = { id: string; platform: string; channelId: string; purpose: string; entityId: string | null };
const channels = async () =>
  (await apiJson<{ channels: Channel[] }>(h.t, "GET", "/api/v1/channels")).channels;

describe("bound channels", () => {
  it("binds a channel from the form, lists it, and unbinds it only with a reason", async () => {
    const empty = textOf(await (await get(h.t, "/hr/channels", hr)).text());
    expect(empty).toContain("No channel is bound");

    const bound = await post(
      h.t,
      "/hr/channels",
      {
        platform: "slack",
        channelId: "C0HRALERTS",
        purpose: "hr",
        entityId: "acme-sh",
        name: "<i>HR alerts</i>",
      },
      hr,
    );
    expect(bound.status, await bound.clone().text()).toBe(303);
    expect(bound.headers.get("location")).toBe("/hr/channels?done=bound");
    const [channel] = await channels();
    expect(channel).toMatchObject({
      platform: "slack",
      channelId: "C0HRALERTS",
      purpose: "hr",
      entityId: "acme-sh",
    });
    const entries = await evidence(h.database, "channel.bound");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.actor).toBe("employee:HR1");

    const page = await (await get(h.t, "/hr/channels?done=bound", hr)).text();
    expect(textOf(page)).toContain("The channel was bound.");
    expect(page).toContain("C0HRALERTS");
    expect(page).toContain("&lt;i&gt;HR alerts&lt;/i&gt;");
    expect(page).toContain(`action="/hr/channels/${channel?.id}/unbind"`);

    // For every employer: no entity chosen.
    expect(
      (
        await post(
          h.t,
          "/hr/channels",
          { platform: "lark", channelId: "oc_fin", purpose: "finance", entityId: "" },
          hr,
        )
      ).status,
    ).toBe(303);
    expect((await channels()).find((c) => c.channelId === "oc_fin")?.entityId).toBeNull();

    // A wrong field is a 422 on the page; an unknown employer too.
    const wrong = await post(h.t, "/hr/channels", { platform: "icq", channelId: "x", purpose: "hr" }, hr);
    expect(wrong.status).toBe(422);
    expect(textOf(await wrong.text())).toContain("Check these fields: platform");
    const unknown = await post(
      h.t,
      "/hr/channels",
      { platform: "slack", channelId: "C2", purpose: "hr", entityId: "nope" },
      hr,
    );
    expect(unknown.status).toBe(422);
    expect(await channels()).toHaveLength(2);

    const noReason = await post(h.t, `/hr/channels/${channel?.id}/unbind`, { reason: " " }, hr);
    expect(noReason.status).toBe(422);
    expect(textOf(await noReason.text())).toContain("Give a reason");
    expect(await channels()).toHaveLength(2);

    const unbound = await post(
      h.t,
      `/hr/channels/${channel?.id}/unbind`,
      { reason: "the group was archived" },
      hr,
    );
    expect(unbound.status).toBe(303);
    expect((await channels()).map((c) => c.channelId)).toEqual(["oc_fin"]);
    const [unbinding] = await evidence(h.database, "channel.unbound");
    expect(unbinding?.actor).toBe("employee:HR1");
    expect(unbinding?.data.reasonSha256).toMatch(/^[0-9a-f]{64}$/);

    const again = await post(h.t, `/hr/channels/${channel?.id}/unbind`, { reason: "again" }, hr);
    expect(again.status).toBe(404);
  });
});

type Override = { date: string; kind: string; reason: string; createdBy: string };
const overrides = async () =>
  (await apiJson<{ overrides: Override[] }>(h.t, "GET", "/api/v1/calendar/overrides")).overrides;

describe("the calendar", () => {
  it("lists this year and next with the provisional one, and confirms it only with a basis", async () => {
    const page = await (await get(h.t, "/hr/calendar", hr)).text();
    const text = textOf(page);
    expect(text).toContain("2026 CN Official");
    expect(text).toContain("2027 CN Provisional");
    expect(page).toContain('action="/hr/calendar/years/2027/confirm"');
    expect(page).not.toContain('action="/hr/calendar/years/2026/confirm"');

    const noBasis = await post(h.t, "/hr/calendar/years/2027/confirm", { basis: "" }, hr);
    expect(noBasis.status).toBe(422);
    expect(await evidence(h.database, "calendar.year.confirmed")).toHaveLength(0);

    const confirmed = await post(
      h.t,
      "/hr/calendar/years/2027/confirm",
      { basis: "国办发明电〔2026〕7号" },
      hr,
    );
    expect(confirmed.status).toBe(303);
    const [entry] = await evidence(h.database, "calendar.year.confirmed");
    expect(entry?.actor).toBe("employee:HR1");
    expect(entry?.data.basis).toBe("国办发明电〔2026〕7号");
    expect(textOf(await (await get(h.t, "/hr/calendar", hr)).text())).toContain("2027 CN Confirmed by HR");

    // An official year has nothing to confirm: the rule's answer shows on the page.
    const official = await post(h.t, "/hr/calendar/years/2026/confirm", { basis: "x" }, hr);
    expect(official.status).toBe(422);
  });

  it("adds and removes an override, each recorded as evidence", async () => {
    const added = await post(
      h.t,
      "/hr/calendar/overrides",
      { date: "2026-06-05", kind: "rest", region: "CN", reason: "公司年会 <b>" },
      hr,
    );
    expect(added.status, await added.clone().text()).toBe(303);
    expect(added.headers.get("location")).toBe("/hr/calendar?done=set");
    expect(await overrides()).toEqual([
      expect.objectContaining({
        date: "2026-06-05",
        kind: "rest",
        reason: "公司年会 <b>",
        createdBy: "employee:HR1",
      }),
    ]);
    expect(await evidence(h.database, "calendar.override.set")).toHaveLength(1);
    const working = await apiJson<{ workingDay: boolean }>(h.t, "GET", "/api/v1/calendar/days/2026-06-05");
    expect(working.workingDay).toBe(false);

    const page = await (await get(h.t, "/hr/calendar?year=2026", hr)).text();
    expect(page).toContain("2026-06-05");
    expect(page).toContain("公司年会 &lt;b&gt;");
    expect(textOf(page)).toContain("Hui Ren (HR1)");
    expect(await (await get(h.t, "/hr/calendar?year=2025", hr)).text()).not.toContain("2026-06-05");

    const noReason = await post(
      h.t,
      "/hr/calendar/overrides",
      { date: "2026-06-08", kind: "rest", reason: "" },
      hr,
    );
    expect(noReason.status).toBe(422);
    const badDate = await post(
      h.t,
      "/hr/calendar/overrides",
      { date: "2026-02-30", kind: "rest", reason: "x" },
      hr,
    );
    expect(badDate.status).toBe(400);
    expect(await overrides()).toHaveLength(1);

    const removed = await post(
      h.t,
      "/hr/calendar/overrides/remove",
      { date: "2026-06-05", region: "CN" },
      hr,
    );
    expect(removed.status).toBe(303);
    expect(await overrides()).toEqual([]);
    expect(await evidence(h.database, "calendar.override.removed")).toHaveLength(1);
    const gone = await post(h.t, "/hr/calendar/overrides/remove", { date: "2026-06-05", region: "CN" }, hr);
    expect(gone.status).toBe(404);
  });
});

describe("dead letters", () => {
  it("lists undelivered messages and sends one again, with an evidence entry", async () => {
    const [row] = await h.database.db
      .insert(outbox)
      .values({
        kind: "case.opened",
        recipient: { type: "channel", purpose: "hr" },
        destination: "channel:hr",
        data: {},
        dedupeKey: "dead-1",
        status: "dead",
        attempts: 8,
        lastError: "<b>HTTP 500</b> from the platform",
        deadAt: new Date("2026-03-02T01:00:00Z"),
      })
      .returning({ id: outbox.id });
    const id = row?.id as number;
    const page = await (await get(h.t, "/hr/dead-letters", hr)).text();
    expect(page).toContain("<code>case.opened</code>");
    expect(page).toContain("&lt;b&gt;HTTP 500&lt;/b&gt; from the platform");
    expect(page).toContain(`action="/hr/dead-letters/${id}/revive"`);

    const revived = await post(h.t, `/hr/dead-letters/${id}/revive`, {}, hr);
    expect(revived.status).toBe(303);
    const [after] = await h.database.query<{ status: string; attempts: number }>(
      sql`select status, attempts from outbox where id = ${id}`,
    );
    expect(after).toEqual({ status: "pending", attempts: 0 });
    const [entry] = await evidence(h.database, "outbox.retried");
    expect(entry).toMatchObject({ actor: "employee:HR1", subject: `outbox:${id}` });
    const listed = textOf(await (await get(h.t, "/hr/dead-letters?done=revived", hr)).text());
    expect(listed).toContain("The message will be sent again.");
    expect(listed).toContain("Every message was delivered.");

    const twice = await post(h.t, `/hr/dead-letters/${id}/revive`, {}, hr);
    expect(twice.status).toBe(409);
    expect((await post(h.t, "/hr/dead-letters/999999/revive", {}, hr)).status).toBe(404);
    expect(await evidence(h.database, "outbox.retried")).toHaveLength(1);
  });
});
