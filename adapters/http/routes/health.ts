import { sql } from "drizzle-orm";
import type { Hono } from "hono";
import type { AppEnv } from "../services.ts";

export function registerHealthRoutes(app: Hono<AppEnv>): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }, 200, { "cache-control": "no-store" }));

  app.get("/readyz", async (c) => {
    const { database, readiness } = c.get("services");
    let databaseOk = false;
    try {
      await database.query(sql`select 1 as ok`);
      databaseOk = true;
    } catch {
      databaseOk = false;
    }
    const ready = databaseOk && readiness.migrations === "current";
    // Shown, not counted: HTTP works without the Stream (webhooks, the approval-events API).
    const stream = readiness.dingtalkStream;
    return c.json(
      {
        ready,
        database: databaseOk ? "ok" : "unreachable",
        migrations: readiness.migrations,
        ...(readiness.detail ? { detail: readiness.detail } : {}),
        ...(stream ? { dingtalkStream: stream.connected ? "connected" : "connecting" } : {}),
      },
      ready ? 200 : 503,
      { "cache-control": "no-store" },
    );
  });

  // Current and previous keys: what an old signature was made with must stay verifiable.
  app.get("/.well-known/jwks.json", async (c) => {
    const jwks = await c.get("services").signer.jwks();
    return c.json(jwks, 200, { "cache-control": "public, max-age=300" });
  });
}
