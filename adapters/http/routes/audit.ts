import type { Hono } from "hono";
import { chainHead, unchainedCount, verifyAuditChain } from "../../../db/evidence-chain.ts";
import { requireScope } from "../middleware/api-auth.ts";
import type { AppEnv } from "../services.ts";

/** `typ` of the signed chain head that digests and timestamps publish. */
export const auditHeadType = "baton-audit-head+jws";

/** The audit chain: recompute it, and read its head (signed, for publishing outside Baton). */
export function registerAuditRoutes(app: Hono<AppEnv>): void {
  app.use("/api/v1/audit/*", requireScope("evidence:read"));

  app.get("/api/v1/audit/verify", async (c) => {
    const result = await verifyAuditChain(c.get("services").database);
    return c.json(
      {
        ok: result.ok,
        length: result.length,
        head: result.head,
        ...(result.firstBroken ? { firstBroken: result.firstBroken } : {}),
        pending: result.pending,
      },
      200,
      { "cache-control": "no-store" },
    );
  });

  app.get("/api/v1/audit/head", async (c) => {
    const { database, signer, clock } = c.get("services");
    const [head, pending] = await Promise.all([chainHead(database), unchainedCount(database)]);
    const body = head ? { seq: head.seq, hash: head.hash, chainedAt: head.chainedAt.toISOString() } : null;
    const signed = body ? await signer.sign({ ...body, at: clock.now().toISOString() }, auditHeadType) : null;
    return c.json({ head: body, pending, ...(signed ? { jws: signed.jws, kid: signed.kid } : {}) }, 200, {
      "cache-control": "no-store",
    });
  });
}
