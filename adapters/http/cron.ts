import { schedule } from "node-cron";
import type { Services } from "./services.ts";

export type Cron = { stop(): Promise<void> };

/**
 * The scheduler in a Node server: node-cron calls `tick` at the start of every minute. A tick
 * still running when the next minute comes is not overlapped (that minute is skipped). On
 * Cloudflare Workers a Cron Trigger calls the same `services.scheduler.tick`.
 */
export function startCron(services: Pick<Services, "scheduler" | "clock" | "logger">): Cron {
  const task = schedule(
    "* * * * *",
    async () => {
      try {
        await services.scheduler.tick(services.clock.now());
      } catch (error) {
        services.logger.error({ error: (error as Error).name }, "tick failed");
      }
    },
    {
      name: "baton-tick",
      noOverlap: true,
      // node-cron's own notices (a missed or overlapping minute) into Baton's log, not the console.
      logger: {
        info: (message) => services.logger.debug({ cron: "baton-tick" }, message),
        warn: (message) => services.logger.warn({ cron: "baton-tick" }, message),
        error: (message) => services.logger.error({ cron: "baton-tick" }, String(message)),
        debug: () => {},
      },
    },
  );
  return {
    async stop() {
      await task.destroy();
    },
  };
}
