import type { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../../core/errors.ts";
import { apiKeyRepository } from "../../../db/repositories/api-keys.ts";
import { createApiKey } from "../api-keys.ts";
import { readJson } from "../body.ts";
import { surfaceStatus } from "../config.ts";
import { maxLinkLifetimeSeconds } from "../links/tokens.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { SeedRefusedError } from "../operations.ts";
import { jsonBody } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

const newKeyBody = z.object({
  name: z.string(),
  principal: z.string(),
  scopes: z.array(z.string()).max(50),
});

const newLinkBody = z.object({
  principal: z.string(),
  purpose: z.string(),
  ttlSeconds: z.number().int().min(1).max(maxLinkLifetimeSeconds).default(900),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** The admin API: what `baton` does against a running server, and what operators script. */
export function registerAdminRoutes(app: Hono<AppEnv>): void {
  app.use("/api/v1/admin/*", requireScope("admin"));

  app.get("/api/v1/admin/status", async (c) => {
    const { config, database, operations } = c.get("services");
    const state = await operations.migrationState();
    return c.json({
      database: database.kind,
      migrations: { applied: state.applied, pending: state.pending.map((p) => p.tag) },
      demo: config.demo,
      surfaces: surfaceStatus(config),
    });
  });

  app.post("/api/v1/admin/api-keys", jsonBody(newKeyBody), async (c) => {
    const body = await readJson(c, newKeyBody);
    const { database, clock } = c.get("services");
    const created = await createApiKey(database.db, body, c.get("auth")?.principal ?? "unknown", clock.now());
    return c.json(created, 201, { "cache-control": "no-store" });
  });

  app.get("/api/v1/admin/api-keys", async (c) => {
    const rows = await apiKeyRepository(c.get("services").database.db).list();
    return c.json({
      apiKeys: rows.map((r) => ({
        id: r.id,
        name: r.name,
        principal: r.principal,
        scopes: r.scopes,
        createdBy: r.createdBy,
        createdAt: r.createdAt.toISOString(),
        lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
        revokedAt: r.revokedAt?.toISOString() ?? null,
      })),
    });
  });

  app.delete("/api/v1/admin/api-keys/:id", async (c) => {
    const { database, clock } = c.get("services");
    const revoked = await apiKeyRepository(database.db).revoke(c.req.param("id"), clock.now());
    if (!revoked) throw new AppError("not_found", "No live API key has that id.");
    return c.body(null, 204);
  });

  app.post("/api/v1/admin/backups", async (c) => {
    const result = await c.get("services").operations.backup("manual");
    return c.json(result, 201);
  });

  app.post("/api/v1/admin/seed", async (c) => {
    try {
      return c.json(await c.get("services").operations.seed());
    } catch (error) {
      if (error instanceof SeedRefusedError) throw new AppError("unprocessable", error.message);
      throw error;
    }
  });

  app.post("/api/v1/admin/links", jsonBody(newLinkBody), async (c) => {
    const body = await readJson(c, newLinkBody);
    const { linkTokens, linkActions } = c.get("services");
    if (!linkActions.get(body.purpose)) {
      throw new AppError("unprocessable", `No link action has the purpose "${body.purpose}".`, {
        details: { purposes: linkActions.purposes() },
      });
    }
    try {
      const link = await linkTokens.issue(body);
      return c.json({ url: link.url, expiresAt: link.expiresAt.toISOString() }, 201, {
        "cache-control": "no-store",
      });
    } catch (error) {
      if (error instanceof RangeError) throw new AppError("unprocessable", error.message);
      throw error;
    }
  });
}
