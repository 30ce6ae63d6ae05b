import { createHash } from "node:crypto";
import type { Hono } from "hono";
import { mayMaintainDirectory } from "../../../core/directory/permissions.ts";
import { AppError } from "../../../core/errors.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { verifyLarkRequest } from "../../lark/index.ts";
import { rawRequestOf } from "../body.ts";
import { isSurfaceEnabled } from "../config.ts";
import { larkDirectorySync, larkRuntime } from "../lark.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { noStore } from "../middleware/security.ts";
import type { AppEnv } from "../services.ts";

export const larkWebhookPath = "/webhooks/lark";

/**
 * `POST /webhooks/lark` (DESIGN §4, §7): events, `card.action.trigger` callbacks and approval
 * events on one URL. Order: Lark off → 404; the raw body; our own check on it (signature over the
 * raw bytes, ≤ 8 h old, decrypted, verification token; the unsigned URL-verification challenge only
 * with the right token) → else 401 and nothing happens; the challenge → `{challenge}`; then the
 * SDK's dispatchers, the tenant allow-list and the bot (adapters/http/lark.ts).
 */
export function registerLarkRoutes(app: Hono<AppEnv>): void {
  app.use(larkWebhookPath, noStore);
  app.post(larkWebhookPath, async (c) => {
    const services = c.get("services");
    const { config, clock, logger } = services;
    const runtime = isSurfaceEnabled(config, "lark") ? larkRuntime(services) : undefined;
    if (!runtime || !config.LARK_ENCRYPT_KEY || !config.LARK_VERIFICATION_TOKEN) {
      throw new AppError("not_found", "Lark is not enabled.", { messageKey: "error.not_found" });
    }
    const request = await rawRequestOf(c);
    const verified = verifyLarkRequest(request, clock.now(), {
      encryptKey: config.LARK_ENCRYPT_KEY,
      verificationToken: config.LARK_VERIFICATION_TOKEN,
    });
    if (!verified.ok) {
      logger.info(
        { surface: "lark", status: verified.status, reason: verified.reason },
        "Lark request refused",
      );
      throw new AppError("unauthorized", "The Lark signature or token is missing, wrong or stale.", {
        messageKey: "error.unauthorized",
      });
    }
    if (verified.handshake) {
      const challenge = verified.payload.challenge;
      if (typeof challenge !== "string" || challenge === "") {
        throw new AppError("bad_request", "url_verification without challenge", {
          messageKey: "error.bad_request",
        });
      }
      return c.json({ challenge }, 200);
    }
    const signature = request.headers["x-lark-signature"];
    const answer = await runtime.handle(verified.payload, {
      requestSha256: createHash("sha256").update(request.body, "utf8").digest("hex"),
      ...(signature ? { signatureHeader: signature } : {}),
    });
    return c.json(answer.body, answer.status);
  });

  /**
   * Directory sync from the Lark contacts API: every person the app can see, keyed by their
   * `employee_no`, with their open_id as Lark identity (adapters/http/lark.ts `larkDirectorySync`).
   */
  app.post("/api/v1/lark/directory-sync", requireScope("employees:write"), async (c) => {
    const services = c.get("services");
    const principal = c.get("auth")?.principal ?? "";
    const actor = { principal, functions: await functionsOf(services.database.db, principal) };
    if (!mayMaintainDirectory(actor)) throw new AppError("forbidden", "Only HR maintains the directory.");
    return c.json(await larkDirectorySync(services, principal));
  });
}
