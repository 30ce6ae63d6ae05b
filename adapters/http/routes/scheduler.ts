import type { Hono } from "hono";
import type { AppEnv } from "../services.ts";

/** `POST /api/v1/admin/tick` (scope admin, from the admin routes): one scheduler tick now, for operators and tests. */
export function registerSchedulerRoutes(app: Hono<AppEnv>): void {
  app.post("/api/v1/admin/tick", async (c) => {
    const { scheduler, clock } = c.get("services");
    const report = await scheduler.tick(clock.now());
    return c.json(report);
  });
}
