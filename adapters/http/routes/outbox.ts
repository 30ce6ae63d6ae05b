import type { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../../core/errors.ts";
import type { Db } from "../../../db/client.ts";
import { listDeadLetters, outboxStatus, reviveDeadLetter } from "../../../db/outbox.ts";
import { recordEvidence } from "../../../db/repositories/evidence.ts";
import { readQuery } from "../body.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { queryParams } from "../route-meta.ts";
import type { AppEnv, Services } from "../services.ts";

const idParam = z.string().regex(/^[1-9]\d{0,15}$/);

/**
 * Sends a dead message again (a fresh count of tries), with an evidence entry `outbox.retried`;
 * 404 when there is no such message, 409 when it is not dead. The API and the HR console use it.
 */
export async function retryDeadLetter(
  services: Pick<Services, "database" | "clock">,
  id: number,
  actor: string,
): Promise<void> {
  const { database, clock } = services;
  const at = clock.now();
  const revived = await database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    if (!(await reviveDeadLetter(tx, id, at))) return false;
    await recordEvidence(tx, {
      at,
      actor,
      action: "outbox.retried",
      subject: `outbox:${id}`,
      data: { outboxId: id },
    });
    return true;
  });
  if (revived) return;
  const status = await outboxStatus(database.db, id);
  if (status === undefined) {
    throw new AppError("not_found", "No outbox message has this id.", { messageKey: "outbox.not_found" });
  }
  throw new AppError("conflict", `Only a dead message can be retried; this one is ${status}.`, {
    messageKey: "outbox.not_dead",
    params: { status },
  });
}

/** The outbox for HR and operators: what could not be delivered, and sending it again. */
export function registerOutboxRoutes(app: Hono<AppEnv>): void {
  app.use("/api/v1/outbox/*", requireScope("admin"));

  const deadQuery = z.object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.coerce.number().int().min(1).optional(),
  });

  app.get("/api/v1/outbox/dead", queryParams(deadQuery), async (c) => {
    const query = readQuery(c, deadQuery);
    const dead = await listDeadLetters(c.get("services").database.db, query);
    const last = dead.at(-1);
    return c.json({ dead, next: dead.length === query.limit && last ? last.id : null });
  });

  app.post("/api/v1/outbox/:id/retry", async (c) => {
    const parsed = idParam.safeParse(c.req.param("id"));
    if (!parsed.success) {
      throw new AppError("not_found", "No outbox message has this id.", { messageKey: "outbox.not_found" });
    }
    const id = Number(parsed.data);
    await retryDeadLetter(c.get("services"), id, c.get("auth")?.principal ?? "unknown");
    return c.json({ id, status: "pending" });
  });
}
