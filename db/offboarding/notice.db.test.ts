import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { offboardingDepsOf } from "../../adapters/http/offboarding.ts";
import { AppError } from "../../core/errors.ts";
import type { OffboardingCommands } from "../../core/offboarding/commands.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  evidenceCount,
  outboxRows,
  request,
  seedCompany,
} from "../../test/helpers/offboarding.ts";
import type { Database } from "../client.ts";
import { offboardingCommands } from "./index.ts";

let database: Database;
let t: TestApp;
let commands: OffboardingCommands;

const text =
  "我（林一）在此通知公司：我将于2026年4月1日离职。I hereby give notice that my last day is 1 April 2026.";
const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, {
    env: { BATON_ADMIN_TOKEN: adminToken },
    clock: manualClock(new Date("2026-03-01T17:06:00Z")),
  });
  t.services.gates = [];
  await seedCompany(t);
  commands = offboardingCommands(offboardingDepsOf(t.services));
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return `${error.code} ${error.messageKey}`;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("giveNotice: the chat layer's notice command", () => {
  it("records the notice by its hash and arrival, dated in the employee's time zone, and answers a receipt", async () => {
    // 17:05 UTC on Sunday 03-01 is 01:05 on Monday 03-02 in Shanghai: the notice date is 03-02 (R2).
    const receipt = await commands.giveNotice({
      employeeExternalId: "E1",
      text,
      receivedAt: new Date("2026-03-01T17:05:00Z"),
      channel: "lark",
      idempotencyKey: "lark-evt-1",
    });
    expect(receipt).toMatchObject({
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
      plannedLastDay: "2026-04-01",
      textHash: sha256(text),
      receivedAt: "2026-03-01T17:05:00.000Z",
      channel: "lark",
      created: true,
    });
    const [entry] = await database.query<{ id: string; actor: string; data: Record<string, unknown> }>(
      sql`select id, actor, data from evidence_entries where action = 'notice.received'`,
    );
    expect(entry).toMatchObject({
      id: receipt.evidenceId,
      actor: "employee:E1",
      data: {
        textSha256: sha256(text),
        receivedAt: "2026-03-01T17:05:00.000Z",
        noticeDate: "2026-03-02",
        timeZone: "Asia/Shanghai",
      },
    });
    const dump = JSON.stringify(
      await database.query(
        sql`select (select json_agg(e) from evidence_entries e) as e, (select json_agg(o) from outbox o) as o, (select json_agg(c) from cases c) as c`,
      ),
    );
    expect(dump).not.toContain("hereby give notice");
    const [receiptRow] = await outboxRows(database, "notice.receipt");
    expect(receiptRow).toMatchObject({ destination: "person:employee:E1", urgency: "legal" });
    expect(receiptRow?.data).toMatchObject({ textSha256: sha256(text), channel: "lark" });
  });

  it("answers a platform's retry, or the same text again, with the same receipt; another notice is refused", async () => {
    const input = {
      employeeExternalId: "E1",
      text,
      receivedAt: new Date("2026-03-01T17:05:00Z"),
      channel: "slack",
      idempotencyKey: "evt-9",
    };
    const first = await commands.giveNotice(input);
    const retry = await commands.giveNotice(input);
    expect(retry).toEqual({ ...first, created: false });
    const sameText = await commands.giveNotice({ ...input, idempotencyKey: "evt-10" });
    expect(sameText.caseId).toBe(first.caseId);
    expect(await evidenceCount(database, "notice.received")).toBe(1);
    expect(
      await refusal(commands.giveNotice({ ...input, text: `${text} (2)`, idempotencyKey: "evt-11" })),
    ).toBe("conflict case.already_open");
    expect(await refusal(commands.giveNotice({ ...input, text: " ", idempotencyKey: "evt-12" }))).toBe(
      "bad_request case.notice_text",
    );
    expect(await refusal(commands.giveNotice({ ...input, employeeExternalId: "NOBODY" }))).toBe(
      "unprocessable case.unknown_employee",
    );
    expect((await commands.activeCaseOf("E1"))?.id).toBe(first.caseId);
    expect(await commands.activeCaseOf("E2")).toBeUndefined();
  });

  it("the receipt names the day the employee asked for, holding the legal one against an earlier request", async () => {
    const receipt = await commands.giveNotice({
      employeeExternalId: "E2",
      text: "notice",
      receivedAt: new Date("2026-03-01T17:05:00Z"),
      channel: "web",
      requestedLastDay: "2026-04-15",
    });
    expect(receipt).toMatchObject({ legalLastDay: "2026-04-01", plannedLastDay: "2026-04-15" });
    const view = await commands.getCase(receipt.caseId);
    expect(view).toMatchObject({ requestedLastDay: "2026-04-15", noticeChannel: "web" });
    const res = await request(t, "GET", `/api/v1/cases/${receipt.caseId}`);
    expect(res.status).toBe(200);
  });
});
