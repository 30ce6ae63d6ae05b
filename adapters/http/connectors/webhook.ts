import type { Hono } from "hono";
import { AppError } from "../../../core/errors.ts";
import { maxIdempotencyKeyLength, receiveInbound } from "../../../db/inbox.ts";
import { verifyWebhook, WebhookSignatureError } from "../../connectors/standard-webhooks.ts";
import type { AppEnv } from "../services.ts";
import { connectorSecret, inboundSchemas, inboxSource, isConnectorSystem } from "./systems.ts";

const notFound = () => new AppError("not_found", "", { messageKey: "error.not_found" });

/**
 * `POST /webhooks/connectors/:system` (oa, crm, finance): off (404) unless the system's secret is
 * configured. Verifies the Standard Webhooks signature over the raw body (401 when it does not
 * verify or is stale), checks the message's shape (400), stores it in the inbox under its
 * `webhook-id` before answering, and answers 200 — a redelivery of the same id finds the stored
 * row and has no second effect. The work runs from the inbox.
 */
export function registerConnectorWebhooks(app: Hono<AppEnv>): void {
  app.post("/webhooks/connectors/:system", async (c) => {
    const services = c.get("services");
    const system = c.req.param("system");
    if (!isConnectorSystem(system)) throw notFound();
    const secret = connectorSecret(services.config, system);
    if (!secret) throw notFound();
    const raw = await c.req.text();
    const now = services.clock.now();
    let webhookId: string;
    try {
      webhookId = verifyWebhook(secret, raw, c.req.raw.headers, now).id;
    } catch (error) {
      if (!(error instanceof WebhookSignatureError)) throw error;
      services.logger.warn(
        { system, reason: error.reason, requestId: c.get("requestId") },
        "connector webhook refused",
      );
      throw new AppError("unauthorized", "The webhook signature does not verify.", {
        messageKey: "connector.bad_signature",
      });
    }
    if (webhookId.length > maxIdempotencyKeyLength || !/^[\x21-\x7e]+$/.test(webhookId)) {
      throw new AppError("bad_request", "The webhook-id is not a usable id.");
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      throw new AppError("bad_request", "The request body is not valid JSON.", {
        messageKey: "error.bad_json",
      });
    }
    const parsed = inboundSchemas[system].safeParse(payload);
    if (!parsed.success) {
      throw new AppError("bad_request", "The message does not have the expected fields.", {
        details: parsed.error.issues.map((issue) => ({
          path: issue.path.join("."),
          code: issue.code,
          message: issue.message,
        })),
      });
    }
    const stored = await receiveInbound(services.database, {
      source: inboxSource(system),
      idempotencyKey: webhookId,
      payload: parsed.data,
      receivedAt: now,
    });
    services.inbox.wake();
    services.logger.info(
      { system, inboxId: stored.id, duplicate: stored.duplicate, requestId: c.get("requestId") },
      "connector webhook stored",
    );
    return c.json({ received: true, duplicate: stored.duplicate });
  });
}
