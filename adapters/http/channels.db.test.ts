import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";

const adminToken = `adm-${"h".repeat(40)}`;
let database: Database;
let t: TestApp;
let hr: string;

const send = (method: string, body: unknown, token = adminToken) => ({
  method,
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function key(principal: string, scopes: string[]): Promise<string> {
  const res = await t.request("/api/v1/admin/api-keys", send("POST", { name: "t", principal, scopes }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

const bind = (body: unknown, token = hr) => t.request("/api/v1/channels", send("POST", body, token));

type Channel = { id: string; platform: string; channelId: string; purpose: string; entityId: string | null };
type ErrorBody = { error: { code: string; message: string; details?: { path: string }[] } };

const evidence = (action: string) =>
  database.query<{ actor: string; subject: string; data: Record<string, unknown> }>(
    sql`select actor, subject, data from evidence_entries where action = ${action} order by ingest`,
  );

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, {
    env: { BATON_ADMIN_TOKEN: adminToken },
    clock: manualClock(new Date("2026-03-02T02:00:00Z")),
  });
  for (const id of ["acme-sh", "acme-bj"]) {
    const res = await t.request(`/api/v1/entities/${id}`, send("PUT", { name: id, city: "Shanghai" }));
    expect(res.status).toBe(200);
  }
  for (const [id, functions] of [
    ["H1", ["hr"]],
    ["E1", []],
  ] as const) {
    const res = await t.request(
      `/api/v1/employees/${id}`,
      send("PUT", { name: id, entity: "acme-sh", functions }),
    );
    expect(res.status).toBe(201);
  }
  hr = await key("employee:H1", ["channels:write"]);
});

describe("channels API", () => {
  it("binds, lists and unbinds an HR channel, each with an evidence entry", async () => {
    const res = await bind({ platform: "slack", channelId: "C0HR1", purpose: "hr", name: "HR ops" });
    expect(res.status).toBe(201);
    const channel = (await res.json()) as Channel & { name: string; boundBy: string };
    expect(channel).toMatchObject({
      platform: "slack",
      channelId: "C0HR1",
      purpose: "hr",
      entityId: null,
      name: "HR ops",
      boundBy: "employee:H1",
    });
    const finance = await bind({
      platform: "lark",
      channelId: "oc_fin",
      purpose: "finance",
      entityId: "acme-sh",
    });
    expect(finance.status).toBe(201);

    const list = (await (await t.request("/api/v1/channels", auth(hr))).json()) as { channels: Channel[] };
    expect(list.channels.map((c) => c.channelId).sort()).toEqual(["C0HR1", "oc_fin"]);
    const onlyHr = (await (await t.request("/api/v1/channels?purpose=hr", auth(hr))).json()) as {
      channels: Channel[];
    };
    expect(onlyHr.channels.map((c) => c.channelId)).toEqual(["C0HR1"]);

    expect(
      (await t.request(`/api/v1/channels/${channel.id}`, { method: "DELETE", ...auth(hr) })).status,
    ).toBe(204);
    expect(
      (await t.request(`/api/v1/channels/${channel.id}`, { method: "DELETE", ...auth(hr) })).status,
    ).toBe(404);
    const after = (await (await t.request("/api/v1/channels", auth(hr))).json()) as { channels: Channel[] };
    expect(after.channels.map((c) => c.channelId)).toEqual(["oc_fin"]);

    const bound = await evidence("channel.bound");
    expect(bound).toHaveLength(2);
    expect(bound[0]).toEqual({
      actor: "employee:H1",
      subject: `channel:${channel.id}`,
      data: { platform: "slack", channelId: "C0HR1", purpose: "hr", entityId: null },
    });
    expect(await evidence("channel.unbound")).toEqual([
      {
        actor: "employee:H1",
        subject: `channel:${channel.id}`,
        data: { platform: "slack", channelId: "C0HR1", purpose: "hr", entityId: null },
      },
    ]);
  });

  it("binding the same channel again is harmless; for another entity it is a conflict; after unbinding it binds anew", async () => {
    const body = { platform: "teams", channelId: "19:abc@thread.tacv2", purpose: "hr", entityId: "acme-sh" };
    const first = (await (await bind(body)).json()) as Channel;
    const again = await bind(body);
    expect(again.status).toBe(200);
    expect(((await again.json()) as Channel).id).toBe(first.id);
    const elsewhere = await bind({ ...body, entityId: "acme-bj" });
    expect(elsewhere.status).toBe(409);
    // The same chat may be both an HR and a finance channel.
    expect((await bind({ ...body, purpose: "finance" })).status).toBe(201);
    expect(await evidence("channel.bound")).toHaveLength(2);
    await t.request(`/api/v1/channels/${first.id}`, { method: "DELETE", ...auth(hr) });
    const rebound = await bind({ ...body, entityId: "acme-bj" });
    expect(rebound.status).toBe(201);
    expect(((await rebound.json()) as Channel).id).not.toBe(first.id);
  });

  it("answers bad input with 400 and the fields, an unknown entity with 422, and writes nothing", async () => {
    const cases: [unknown, string][] = [
      [{ channelId: "C1", purpose: "hr" }, "platform"],
      [{ platform: "wechat", channelId: "C1", purpose: "hr" }, "platform"],
      [{ platform: "slack", channelId: "C 1", purpose: "hr" }, "channelId"],
      [{ platform: "slack", channelId: "", purpose: "hr" }, "channelId"],
      [{ platform: "slack", channelId: "C1", purpose: "legal" }, "purpose"],
      [{ platform: "slack", channelId: "C1", purpose: "hr", entityId: "no such/entity" }, "entityId"],
      [{ platform: "slack", channelId: "C1", purpose: "hr", admin: true }, ""],
      [{ platform: "slack", channelId: "C1", purpose: "hr", name: "x".repeat(201) }, "name"],
    ];
    for (const [body, field] of cases) {
      const res = await bind(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.code).toBe("bad_request");
      expect(error.details?.map((d) => d.path)).toContain(field);
    }
    expect((await bind("{not json")).status).toBe(400);
    const unknown = await bind({ platform: "slack", channelId: "C1", purpose: "hr", entityId: "acme-gz" });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as ErrorBody).error.message).toBe("No entity has the id acme-gz.");
    expect((await t.request("/api/v1/channels/not-a-uuid", { method: "DELETE", ...auth(hr) })).status).toBe(
      404,
    );
    expect((await database.query(sql`select 1 from channels`)).length).toBe(0);
    expect(await evidence("channel.bound")).toHaveLength(0);
  });

  it("needs the channels:write scope, and an HR person or a system behind the key", async () => {
    const body = { platform: "slack", channelId: "C0HR", purpose: "hr" };
    expect((await t.request("/api/v1/channels")).status).toBe(401);
    expect((await t.request("/api/v1/channels", send("POST", body, "bk_wrong"))).status).toBe(401);
    const reader = await key("employee:H1", ["employees:read"]);
    expect((await t.request("/api/v1/channels", auth(reader))).status).toBe(403);
    expect((await bind(body, reader)).status).toBe(403);
    const notHr = await key("employee:E1", ["channels:write"]);
    const refused = await bind(body, notHr);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ErrorBody).error.message).toBe(
      "Only HR binds and unbinds group channels.",
    );
    const zh = await t.request("/api/v1/channels", {
      ...send("POST", body, notHr),
      headers: { ...send("POST", body, notHr).headers, "accept-language": "zh-CN" },
    });
    expect(((await zh.json()) as ErrorBody).error.message).toBe("只有 HR 可以绑定或解绑群聊。");
    const system = await key("system:hris", ["channels:write"]);
    const created = await bind(body, system);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Channel;
    expect((await t.request(`/api/v1/channels/${id}`, { method: "DELETE", ...auth(notHr) })).status).toBe(
      403,
    );
    expect(await evidence("channel.unbound")).toHaveLength(0);
  });

  it("confirms the binding in the new channel, and alerts reach the entity's channels and the all-entity ones", async () => {
    const all = (await (
      await bind({ platform: "slack", channelId: "C_ALL", purpose: "hr" })
    ).json()) as Channel;
    const sh = (await (
      await bind({ platform: "slack", channelId: "C_SH", purpose: "hr", entityId: "acme-sh" })
    ).json()) as Channel;
    await bind({ platform: "slack", channelId: "C_BJ", purpose: "hr", entityId: "acme-bj" });
    await bind({ platform: "slack", channelId: "C_FIN", purpose: "finance" });
    await t.services.dispatcher.runOnce();
    const confirmations = await database.query<{ channel_id: string; kind: string }>(
      sql`select channel_id, kind from delivered_notifications order by channel_id`,
    );
    // Each confirmation goes to its own channel only.
    expect(confirmations).toEqual([
      { channel_id: "C_ALL", kind: "channel.bound" },
      { channel_id: "C_BJ", kind: "channel.bound" },
      { channel_id: "C_FIN", kind: "channel.bound" },
      { channel_id: "C_SH", kind: "channel.bound" },
    ]);
    await database.query(sql`delete from delivered_notifications`);
    await enqueueNotification(
      database.db,
      {
        kind: "step.escalated",
        recipient: { type: "channel", purpose: "hr", entityId: "acme-sh" },
        data: { caseId: "c1" },
        dedupeKey: "t:escalated",
      },
      t.services.clock.now(),
    );
    await t.services.dispatcher.runOnce();
    const delivered = await database.query<{ target: string; channel_id: string }>(
      sql`select target, channel_id from delivered_notifications order by channel_id`,
    );
    expect(delivered).toEqual([
      { target: all.id, channel_id: "C_ALL" },
      { target: sh.id, channel_id: "C_SH" },
    ]);
  });

  it("a started dispatcher is woken right after the request that enqueued", async () => {
    t.services.dispatcher.start();
    try {
      const res = await bind({ platform: "slack", channelId: "C_WAKE", purpose: "hr" });
      expect(res.status).toBe(201);
      // The poll is 5 s away; the wake after the request delivers it within milliseconds.
      const deadline = Date.now() + 2000;
      let delivered = 0;
      while (Date.now() < deadline && delivered === 0) {
        await new Promise((r) => setTimeout(r, 20));
        delivered = (await database.query(sql`select 1 from delivered_notifications`)).length;
      }
      expect(delivered).toBe(1);
    } finally {
      await t.services.dispatcher.stop();
    }
  });
});
