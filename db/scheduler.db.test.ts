import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TickJob } from "../core/ports.ts";
import { resetDatabase, testDatabase } from "../test/helpers/db.ts";
import type { Database } from "./client.ts";
import { createScheduler, takeJobLease } from "./scheduler.ts";

let database: Database;
const now = new Date("2026-03-02T02:00:00Z");

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
});

function recordingLogger() {
  const lines: { fields: object; message: string }[] = [];
  const log = (fields: object, message: string) => lines.push({ fields, message });
  return { lines, logger: { debug: log, error: log } };
}

describe("the scheduler's tick", () => {
  it("runs the jobs in order; a failing job is reported and logged by name only, and the others still run", async () => {
    const ran: string[] = [];
    const jobs: TickJob[] = [
      { name: "first", run: async () => void ran.push("first") },
      {
        name: "broken",
        run: async () => {
          ran.push("broken");
          throw new Error("E1001 has no manager (personal detail that must not reach the log)");
        },
      },
      { name: "last", run: async (at) => void ran.push(`last@${at.toISOString()}`) },
    ];
    const { lines, logger } = recordingLogger();
    let after = 0;
    const scheduler = createScheduler(database, { jobs: () => jobs, logger, afterTick: () => after++ });
    const report = await scheduler.tick(now);
    expect(ran).toEqual(["first", "broken", `last@${now.toISOString()}`]);
    expect(report.jobs.map((j) => [j.job, j.outcome])).toEqual([
      ["first", "ran"],
      ["broken", "failed"],
      ["last", "ran"],
    ]);
    expect(report.jobs[1]?.error).toContain("has no manager");
    expect(after).toBe(1);
    expect(JSON.stringify(lines)).not.toContain("E1001");
    expect(lines.find((l) => l.message === "tick job failed")?.fields).toEqual({
      job: "broken",
      error: "Error",
    });
    const [lease] = await database.query<{ last_outcome: string }>(
      sql`select last_outcome from scheduler_leases where job = 'broken'`,
    );
    expect(lease?.last_outcome).toBe("Error");
  });

  it("skips a job another instance is running, and runs it once that lease is released or has run out", async () => {
    let runs = 0;
    const jobs: TickJob[] = [{ name: "reminders", run: async () => void runs++ }];
    const mine = createScheduler(database, {
      jobs: () => jobs,
      instanceId: "scheduler:mine",
      leaseMs: 60_000,
    });
    expect(
      await takeJobLease(database, { job: "reminders", holder: "scheduler:other", now, leaseMs: 60_000 }),
    ).toBe(true);
    expect((await mine.tick(now)).jobs[0]?.outcome).toBe("skipped");
    expect((await mine.tick(new Date(now.getTime() + 59_000))).jobs[0]?.outcome).toBe("skipped");
    expect((await mine.tick(new Date(now.getTime() + 60_000))).jobs[0]?.outcome).toBe("ran");
    // Released at the tick's time: the next tick, even at the same time, runs it again.
    expect((await mine.tick(new Date(now.getTime() + 60_000))).jobs[0]?.outcome).toBe("ran");
    expect(runs).toBe(2);
  });
});
