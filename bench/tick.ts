/**
 * Benchmark: the scheduler's `tick()` — every registered tick job, as the server runs it each
 * minute — over a PostgreSQL database holding S open offboarding steps. Target: under 1 s.
 *
 * One real case is opened through the API; it is then cloned (rows copied with new ids) until
 * the database holds S open steps, each clone's next action spread over the next 24 hours — about
 * what a company with that many people leaving sees in a minute. Three ticks are timed: the first
 * of the day (the HR digest counts over every step), an ordinary minute, and a minute where
 * `casesPerTick` cases (the most one tick takes) are all due at once.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench   # 10,000 steps
 *   BENCH_TICK_STEPS=100000 BENCH_DATABASE_URL=… npm run bench                 # the full figure
 */
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { casesPerTick } from "../db/offboarding/tick.ts";
import { createTestApp, manualClock } from "../test/helpers/app.ts";
import { adminToken, seedCompany } from "../test/helpers/offboarding.ts";
import { withScratchDatabase } from "./scratch.ts";

export type TickBenchResult = {
  openSteps: number;
  cases: number;
  jobs: string[];
  ticks: { name: string; ms: number; dueCases: number; outboxRowsAdded: number; slowestJobs: string }[];
};

const count = async (database: Database, query: ReturnType<typeof sql>) =>
  Number((await database.query<{ n: string }>(query))[0]?.n ?? 0);

export async function benchTick(serverUrl: string, options: { openSteps: number }): Promise<TickBenchResult> {
  return withScratchDatabase(serverUrl, "tick", async (database) => {
    // Monday 2 March 2026, 08:58 in Shanghai: the next minutes are a working morning.
    const clock = manualClock(new Date("2026-03-02T00:58:00Z"));
    const t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken }, clock });
    t.services.logger.level = "silent";
    await seedCompany(t);
    const json = { "content-type": "application/json", authorization: `Bearer ${adminToken}` };
    await t.request("/api/v1/channels", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ platform: "slack", channelId: "C_HR", purpose: "hr" }),
    });
    const opened = await t.request("/api/v1/resignations", {
      method: "POST",
      headers: { ...json, "idempotency-key": "bench-template" },
      body: JSON.stringify({ employeeExternalId: "E1", noticeDate: "2026-03-02" }),
    });
    if (opened.status !== 201) throw new Error(`opening the template case answered ${opened.status}`);
    const { id: templateId } = (await opened.json()) as { id: string };
    const perCase = await count(
      database,
      sql`select count(*) as n from case_steps where case_id = ${templateId} and status in ('pending', 'active')`,
    );
    const clones = Math.max(0, Math.ceil(options.openSteps / perCase) - 1);

    // Clones: an employee, a case and its steps per copy; next actions spread over 24 hours.
    await database.query(sql`
      insert into employees
      select (jsonb_populate_record(null::employees, to_jsonb(e) || jsonb_build_object(
        'id', 'bench-emp-' || g, 'external_id', 'BENCH' || g, 'name', 'Bench ' || g,
        'personal_email', null, 'id_number', null, 'bank_account', null))).*
      from employees e, generate_series(1, ${clones}) g where e.external_id = 'E1'`);
    await database.query(sql`
      insert into cases
      select (jsonb_populate_record(null::cases, to_jsonb(c) || jsonb_build_object(
        'id', 'bench-case-' || g, 'employee_id', 'bench-emp-' || g))).*
      from cases c, generate_series(1, ${clones}) g where c.id = ${templateId}`);
    await database.query(sql`
      insert into case_steps
      select (jsonb_populate_record(null::case_steps, to_jsonb(s) || jsonb_build_object(
        'case_id', 'bench-case-' || g,
        'next_action_at', case when s.next_action_at is null then null
          else to_jsonb(${clock.now().toISOString()}::timestamptz + make_interval(mins => 3 + g % 1440)) end))).*
      from case_steps s, generate_series(1, ${clones}) g where s.case_id = ${templateId}`);
    await database.query(sql`analyze`);
    await t.services.dispatcher.runOnce();

    const openSteps = await count(
      database,
      sql`select count(*) as n from case_steps where status in ('pending', 'active')`,
    );
    const ticks: TickBenchResult["ticks"] = [];
    const timeTick = async (name: string) => {
      const now = clock.now();
      const dueCases = await count(
        database,
        sql`select count(distinct case_id) as n from case_steps where next_action_at <= ${now.toISOString()}::timestamptz`,
      );
      const before = await count(database, sql`select count(*) as n from outbox`);
      const started = performance.now();
      const report = await t.services.scheduler.tick(now);
      const ms = Math.round(performance.now() - started);
      const failed = report.jobs.filter((j) => j.outcome === "failed");
      if (failed.length > 0) throw new Error(`tick jobs failed: ${failed.map((f) => f.error).join("; ")}`);
      const slowest = [...report.jobs].sort((x, y) => y.ms - x.ms).slice(0, 3);
      ticks.push({
        name,
        ms,
        dueCases,
        slowestJobs: slowest.map((j) => `${j.job} ${j.ms} ms`).join(", "),
        outboxRowsAdded: (await count(database, sql`select count(*) as n from outbox`)) - before,
      });
    };
    clock.advance(2 * 60_000); // 09:00: the first tick of the day sends the digest
    await timeTick("09:00, first of the day (HR digest)");
    clock.advance(60_000 * 2);
    await timeTick("09:02, an ordinary minute");
    clock.advance(60_000);
    await database.query(sql`
      update case_steps set next_action_at = ${clock.now().toISOString()}::timestamptz
      where next_action_at is not null and case_id in (
        select id from cases where id like 'bench-case-%' order by id limit ${casesPerTick})`);
    await timeTick(`09:03, ${casesPerTick} cases due at once`);
    return {
      openSteps,
      cases: clones + 1,
      jobs: t.services.tickJobs.map((j) => j.name),
      ticks,
    };
  });
}
