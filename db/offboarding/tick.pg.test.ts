import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { offboardingDepsOf } from "../../adapters/http/offboarding.ts";
import type { CheckGate } from "../../core/offboarding/gates.ts";
import { createTestApp, manualClock } from "../../test/helpers/app.ts";
import { createPostgresDatabase } from "../../test/helpers/db.ts";
import { adminToken, count, createKey, request, seedCompany } from "../../test/helpers/offboarding.ts";
import { type Database, openDatabase } from "../client.ts";
import { migrate } from "../migrate.ts";
import { offboardingTickJob } from "./tick.ts";

let first: Database;
let second: Database;

beforeAll(async () => {
  const url = await createPostgresDatabase();
  first = await openDatabase({ kind: "postgres", url, max: 5 });
  second = await openDatabase({ kind: "postgres", url, max: 5 });
  await migrate(first);
});
afterAll(async () => {
  await first.close();
  await second.close();
});

describe("two instances running the offboarding tick at once", () => {
  it("send each reminder, escalation and exception once, and nudge each gate once", async () => {
    const t = await createTestApp(first, {
      env: { BATON_ADMIN_TOKEN: adminToken },
      clock: manualClock(new Date("2026-03-02T02:00:00Z")),
    });
    let requests = 0;
    const gate: CheckGate = {
      name: "agreement",
      evaluate: async () => ({
        gate: "agreement",
        satisfied: false,
        items: [{ id: "nda@1", title: "NDA", satisfied: false }],
      }),
      request: async () => {
        requests++;
      },
    };
    // Cases open with no gates (so opening does not nudge); the tick instances read the gate.
    t.services.gates = [];
    await seedCompany(t);
    const oa = await createKey(t, "system:oa", ["cases:write"]);
    for (const id of ["E1", "E2", "E3", "P1"]) {
      const res = await request(
        t,
        "POST",
        "/api/v1/resignations",
        { employeeExternalId: id, noticeDate: "2026-03-02" },
        oa,
        {
          "idempotency-key": id,
        },
      );
      expect(res.status).toBe(201);
    }
    // Put the gate in front of the check again, so both instances must pass or record it.
    await first.query(sql`update case_steps set status = 'active', completed_at = null, completed_by = null, outcome = null,
      next_action_at = '2026-03-02T02:00:00Z' where key = 'check'`);

    const deps = (database: Database) => ({
      ...offboardingDepsOf({ ...t.services, database }),
      gates: [gate],
    });
    const jobs = [offboardingTickJob(deps(first)), offboardingTickJob(deps(second))];
    for (
      let at = Date.parse("2026-03-02T03:00:00Z");
      at <= Date.parse("2026-04-02T03:00:00Z");
      at += 6 * 3_600_000
    ) {
      await Promise.all(jobs.map((job) => job.run(new Date(at))));
    }

    const outbox = await count(first, sql`select count(*)::int as n from outbox`);
    expect(outbox).toBeGreaterThan(100);
    // One evidence entry per queued message: nobody queued a message the other had queued.
    expect(
      await count(
        first,
        sql`select count(*)::int as n from evidence_entries where action = 'case.notification.queued'`,
      ),
    ).toBe(outbox);
    // Each step started once, each case's exception once.
    expect(
      await count(
        first,
        sql`select count(*)::int as n from (select data->>'caseId', data->>'step' from evidence_entries
        where action = 'case.step.started' group by 1, 2 having count(*) > 1) d`,
      ),
    ).toBe(0);
    expect(
      await count(
        first,
        sql`select count(*)::int as n from evidence_entries where action = 'case.exception.recorded'`,
      ),
    ).toBe(4);
    expect(await count(first, sql`select count(*)::int as n from outbox where kind = 'case.exception'`)).toBe(
      4,
    );
    expect(requests).toBe(4);
    // Exactly one overdue reminder per step and day.
    expect(
      await count(
        first,
        sql`select count(*)::int as n from (select data->>'caseId', data->>'step', dedupe_key from outbox
        where kind = 'step.overdue' group by 1, 2, 3 having count(*) > 1) d`,
      ),
    ).toBe(0);
  });
});
