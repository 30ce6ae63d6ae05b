import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SlackMessage } from "../../adapters/slack/render.ts";
import { renderMessage } from "../../adapters/slack/render.ts";
import { noticeReceipt } from "../../cards/templates/offboarding.ts";
import { translate } from "../../core/messages/index.ts";
import { type Database, openDatabase } from "../../db/client.ts";
import { inboxWriterOf } from "../../db/inbox-writer.ts";
import { migrate } from "../../db/migrate.ts";
import { blockActionsPayload, clickables, interactionRequest } from "../fakes/slack.ts";
import { type FakeSlackApi, startFakeSlackApi } from "../fakes/slack-api.ts";
import { createPostgresDatabase } from "../helpers/db.ts";
import { adminToken, people, request, seedCompany } from "../helpers/offboarding.ts";
import { blockText, createSlackTestApp, type SlackTestApp } from "../helpers/slack.ts";

/**
 * Clicks on a real card through `POST /webhooks/slack` on PostgreSQL (issue 7): Slack's 200 waits
 * for the click's inbox row to be committed (and for nothing more), concurrent clicks share the
 * inbox's statements, a click sent twice is stored and handled once, and every click's answer (the
 * leaver's checklist, replacing the clicked card) reaches Slack once.
 */

let url: string;
let database: Database;
let outside: postgres.Sql;
let fake: FakeSlackApi;
let t: SlackTestApp;
let receipt: SlackMessage;
let trigger = 0;

type Json = Record<string, unknown>;

beforeAll(async () => {
  url = await createPostgresDatabase();
  database = await openDatabase({ kind: "postgres", url, max: 10 });
  await migrate(database);
  outside = postgres(url, { max: 2, onnotice: () => {} });
  fake = await startFakeSlackApi();
  t = await createSlackTestApp(database, fake, { env: { BATON_ADMIN_TOKEN: adminToken } });
  await seedCompany(t);
  const leaver = Object.fromEntries(people).E1;
  const bound = await request(t, "PUT", "/api/v1/employees/E1", {
    entity: "acme-sh",
    ...leaver,
    locale: "en",
    identities: { slack: "U0LILEI" },
  });
  expect(bound.status).toBe(200);
  const opened = await request(
    t,
    "POST",
    "/api/v1/resignations",
    { employeeExternalId: "E1", noticeDate: "2026-03-02" },
    adminToken,
    { "idempotency-key": "clicks-e1" },
  );
  expect(opened.status).toBe(201);
  const view = (await opened.json()) as Json;
  receipt = renderMessage(
    noticeReceipt(
      {
        caseId: String(view.id),
        employeeName: "Leaver",
        noticeDate: "2026-03-02",
        receivedAt: "2026-03-02 10:00",
        legalLastDay: String(view.legalLastDay),
        plannedLastDay: String(view.plannedLastDay),
      },
      { locale: "en", t: translate },
    ),
  );
}, 120_000);

afterAll(async () => {
  await fake.close();
  await outside.end({ timeout: 5 });
  await database.close();
});

beforeEach(() => {
  fake.reset();
});

/** A signed click on the receipt's "My checklist" button, in the leaver's DM, on the message at `ts`. */
function click(ts: string, triggerId = `4412345678.${++trigger}.clicks`) {
  const button = clickables(receipt.blocks).find((c) => String(c.element.action_id).endsWith(":case.status"));
  expect(button).toBeDefined();
  const payload = blockActionsPayload(
    receipt,
    button?.element as Json,
    {},
    { channel: "D0LILEI", ts, triggerId },
  );
  return { triggerId, request: interactionRequest(payload, t.clock.now()) };
}

const send = (request: ReturnType<typeof click>["request"]) =>
  t.request("/webhooks/slack", { method: "POST", headers: request.headers, body: request.body });

const inboxRow = async (triggerId: string) =>
  outside<{ status: string }[]>`
    select status from inbox where source = 'chat:slack' and idempotency_key = ${`action:${triggerId}`}`;

describe("clicks on PostgreSQL", () => {
  it("acks a click only once its inbox row is committed, then answers it with the checklist in place", async () => {
    const { triggerId, request: signed } = click("1772410600.000001");
    const locker = await outside.reserve();
    await locker`begin`;
    await locker`lock table inbox in exclusive mode`;
    let answered = false;
    const response = send(signed).then((res) => {
      answered = true;
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(answered).toBe(false);
    await locker`rollback`;
    locker.release();
    const res = await response;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    // Durable when Slack got its 200: another connection sees the row at once.
    expect(await inboxRow(triggerId)).toHaveLength(1);
    await t.idle();
    expect(await inboxRow(triggerId)).toEqual([{ status: "done" }]);
    const [update] = fake.callsTo("chat.update");
    expect(update?.params).toMatchObject({ channel: "D0LILEI", ts: "1772410600.000001" });
    expect(blockText(update?.params.blocks)).toMatch(/notice/i);
  });

  it("stores concurrent clicks with shared statements, once each even when Slack's request comes twice", async () => {
    const writer = inboxWriterOf(database);
    const before = { ...writer.stats };
    const clicks = Array.from({ length: 40 }, (_, i) => click(`1772410700.${String(i).padStart(6, "0")}`));
    // Every click twice, all at once (a replayed request carries the same trigger_id).
    const responses = await Promise.all([...clicks, ...clicks].map((c) => send(c.request)));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    await t.idle();
    expect(writer.stats.items - before.items).toBe(80);
    expect(writer.stats.batches - before.batches).toBeLessThan(40);
    const keys = clicks.map((c) => `action:${c.triggerId}`);
    const [rows] = await outside<{ n: number; done: number }[]>`
      select count(*)::int as n, count(*) filter (where status = 'done')::int as done
      from inbox where source = 'chat:slack' and idempotency_key = any(${keys})`;
    expect(rows).toEqual({ n: 40, done: 40 });
    // One answer per clicked message: nothing lost, nothing twice.
    const updated = fake.callsTo("chat.update").map((c) => String(c.params.ts));
    expect(updated).toHaveLength(40);
    expect(new Set(updated).size).toBe(40);
    expect(
      Number(
        (
          await database.query<{ n: number }>(
            sql`select count(*)::int as n from inbox where status <> 'done'`,
          )
        )[0]?.n,
      ),
    ).toBe(0);
  });
});
