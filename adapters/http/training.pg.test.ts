import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { assignByRole, remindTrainees } from "../../db/training/jobs.ts";
import { createTestApp, manualClock } from "../../test/helpers/app.ts";
import { createPostgresDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  call,
  letters,
  login,
  ok,
  rows,
  type ShownQuestion,
  seedPeople,
  testCourseFiles,
} from "../../test/helpers/training.ts";

// Several instances tick and several clicks race: each effect happens once.

let url: string;
let first: Database;
let second: Database;
beforeAll(async () => {
  url = await createPostgresDatabase();
  first = await openDatabase({ kind: "postgres", url, max: 10 });
  second = await openDatabase({ kind: "postgres", url, max: 10 });
  await migrate(first);
});
afterAll(async () => {
  await first.close();
  await second.close();
});

describe("training on several instances", () => {
  it("assigns by role, reminds and scores exactly once when instances and requests race", async () => {
    const clock = manualClock(new Date("2026-03-02T02:00:00Z"));
    const t = await createTestApp(first, { env: { BATON_ADMIN_TOKEN: adminToken }, clock });
    await t.services.signer.register();
    await seedPeople(t);
    for (let i = 0; i < 20; i++) {
      await ok(
        call(t, "PUT", `/api/v1/employees/X${i}`, { body: { name: `Engineer ${i}`, role: "engineering" } }),
        201,
      );
    }
    await ok(call(t, "POST", "/api/v1/courses", { body: { files: testCourseFiles() } }), 201);

    const now = clock.now();
    await Promise.all([
      assignByRole({ database: first }, now),
      assignByRole({ database: second }, now),
      assignByRole({ database: first }, now),
    ]);
    const assigned = await rows<{ n: number }>(
      first,
      sql`select count(*)::int as n from training_assignments`,
    );
    expect(assigned[0]?.n).toBe(22);
    const notices = await rows<{ n: number }>(
      first,
      sql`select count(*)::int as n from outbox where kind = 'training.assigned'`,
    );
    expect(notices[0]?.n).toBe(22);
    const assignedEvidence = await rows<{ n: number }>(
      first,
      sql`select count(*)::int as n from evidence_entries where action = 'training.assigned'`,
    );
    expect(assignedEvidence[0]?.n).toBe(22);

    const dueEve = new Date("2026-03-11T02:00:00Z");
    await Promise.all([
      remindTrainees({ database: first }, dueEve),
      remindTrainees({ database: second }, dueEve),
    ]);
    const reminders = await rows<{ n: number }>(
      first,
      sql`select count(*)::int as n from outbox where kind = 'training.reminder'`,
    );
    expect(reminders[0]?.n).toBe(22);
    const queued = await rows<{ n: number }>(
      first,
      sql`select count(*)::int as n from evidence_entries where action = 'training.reminder.queued'`,
    );
    expect(queued[0]?.n).toBe(22);

    // Double clicks: many starts give one attempt; many submits give one certificate.
    const listed = await ok<{ assignments: { id: string }[] }>(
      call(t, "GET", "/api/v1/training/assignments?employee=E1"),
    );
    const path = `/api/v1/training/assignments/${listed.assignments[0]?.id}/attempts`;
    const session = await login(t, "employee:E1");
    const starts = await Promise.all(Array.from({ length: 6 }, () => call(t, "POST", path, { session })));
    const statuses = starts.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 201)).toBe(true);
    const attempt = (await starts[0]?.json()) as { id: string; questions: ShownQuestion[] };
    const answers = Object.fromEntries(attempt.questions.map((q) => [q.questionId, letters(q, true)]));
    const submits = await Promise.all(
      Array.from({ length: 6 }, () =>
        call(t, "POST", `${path}/${attempt.id}/submit`, { session, body: { answers } }),
      ),
    );
    expect(submits.map((r) => r.status)).toEqual(Array(6).fill(200));
    const certificates = await rows<{ n: number }>(
      first,
      sql`select count(*)::int as n from training_certificates`,
    );
    expect(certificates[0]?.n).toBe(1);
    const attempts = await rows<{ n: number }>(first, sql`select count(*)::int as n from training_attempts`);
    expect(attempts[0]?.n).toBe(1);
  });
});
