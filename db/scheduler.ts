import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { TickJob } from "../core/ports.ts";
import type { Database } from "./client.ts";
import { schedulerLeases } from "./schema/index.ts";

export type TickOutcome = {
  job: string;
  /** ran: this instance ran it; skipped: another instance holds it right now; failed: it threw. */
  outcome: "ran" | "skipped" | "failed";
  ms: number;
  /** The error's name and message when it failed (for the operator's answer; never logged). */
  error?: string;
};

export type TickReport = { at: string; jobs: TickOutcome[] };

export type SchedulerLogger = {
  debug(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

export type Scheduler = {
  readonly instanceId: string;
  /** Runs every tick job in order, each under its lease; one job's failure does not stop the others. */
  tick(now: Date): Promise<TickReport>;
};

/**
 * Takes the job's lease for `leaseMs` when nobody holds it (the last lease has ended or was
 * released). One upsert: concurrent takers on PostgreSQL serialise on the row, and only one sees
 * the old lease ended.
 */
export async function takeJobLease(
  database: Database,
  input: { job: string; holder: string; now: Date; leaseMs: number },
): Promise<boolean> {
  const until = new Date(input.now.getTime() + input.leaseMs);
  const rows = await database.db
    .insert(schedulerLeases)
    .values({ job: input.job, leasedBy: input.holder, leaseUntil: until, lastStartedAt: input.now })
    .onConflictDoUpdate({
      target: schedulerLeases.job,
      set: { leasedBy: input.holder, leaseUntil: until, lastStartedAt: input.now },
      setWhere: sql`${schedulerLeases.leaseUntil} <= ${input.now.toISOString()}::timestamptz`,
    })
    .returning({ job: schedulerLeases.job });
  return rows.length > 0;
}

/**
 * Ends the lease this holder has, as of the tick's time, so the next tick (even one at the same
 * time) may run the job. A lease that ran out and was taken by another instance stays theirs.
 */
export async function releaseJobLease(
  database: Database,
  input: { job: string; holder: string; now: Date; outcome: string },
): Promise<void> {
  await database.db
    .update(schedulerLeases)
    .set({ leaseUntil: input.now, lastFinishedAt: input.now, lastOutcome: input.outcome })
    .where(and(eq(schedulerLeases.job, input.job), eq(schedulerLeases.leasedBy, input.holder)));
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The scheduler's tick (DESIGN §3): node-cron calls it every minute in each server, a Cron Trigger
 * on Workers, operators through `POST /api/v1/admin/tick`. Each job runs under a lease row so two
 * instances never run the same job at the same moment; a job whose lease another instance holds is
 * skipped this tick. Jobs stay idempotent (dedupe keys): a lease that ran out lets a second
 * instance in, and a job may run once per instance in the same minute.
 */
export function createScheduler(
  database: Database,
  options: {
    jobs: () => readonly TickJob[];
    logger?: SchedulerLogger;
    instanceId?: string;
    /** Longest a job may hold its lease. Default 10 minutes. */
    leaseMs?: number;
    /** After the tick (wake the dispatcher and the chain writer). */
    afterTick?: () => void;
  },
): Scheduler {
  const instanceId = options.instanceId ?? `scheduler:${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const { logger } = options;

  async function runJob(job: TickJob, now: Date): Promise<TickOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (!(await takeJobLease(database, { job: job.name, holder: instanceId, now, leaseMs }))) {
      return { job: job.name, outcome: "skipped", ms: elapsed() };
    }
    let result: TickOutcome;
    try {
      await job.run(now);
      result = { job: job.name, outcome: "ran", ms: elapsed() };
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      const code = errorCode(error);
      logger?.error({ job: job.name, error: name, ...(code ? { code } : {}) }, "tick job failed");
      result = {
        job: job.name,
        outcome: "failed",
        ms: elapsed(),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
    }
    try {
      await releaseJobLease(database, {
        job: job.name,
        holder: instanceId,
        now,
        outcome: result.outcome === "ran" ? "ok" : (result.error?.split(":")[0] ?? "failed"),
      });
    } catch (error) {
      logger?.error({ job: job.name, error: (error as Error).name }, "could not release a tick job's lease");
    }
    return result;
  }

  return {
    instanceId,
    async tick(now) {
      const jobs: TickOutcome[] = [];
      for (const job of options.jobs()) {
        try {
          jobs.push(await runJob(job, now));
        } catch (error) {
          // Taking the lease failed (the database is away): this job waits for the next tick.
          logger?.error({ job: job.name, error: (error as Error).name }, "tick job could not start");
          jobs.push({ job: job.name, outcome: "failed", ms: 0, error: (error as Error).name });
        }
      }
      options.afterTick?.();
      logger?.debug({ jobs: jobs.map((j) => `${j.job}:${j.outcome}`) }, "tick");
      return { at: now.toISOString(), jobs };
    },
  };
}
