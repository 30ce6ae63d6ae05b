import { createHash } from "node:crypto";
import type { Hono } from "hono";
import { AppError } from "../../../core/errors.ts";
import { parseDingTalkRequest } from "../../dingtalk/parse.ts";
import { verifyDingTalkRequest } from "../../dingtalk/verify.ts";
import { rawRequestOf } from "../body.ts";
import { isSurfaceEnabled } from "../config.ts";
import { handleDingTalkEvent, rememberCallbackPair } from "../dingtalk.ts";
import { dingtalkApprovalToCase, dingtalkDirectorySync } from "../dingtalk-connectors.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { noStore } from "../middleware/security.ts";
import { rawBody } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

export const dingtalkWebhookPath = "/webhooks/dingtalk";

const unauthorized = () =>
  new AppError("unauthorized", "The DingTalk signature is missing, wrong, stale or already used.", {
    messageKey: "error.unauthorized",
  });

/**
 * `POST /webhooks/dingtalk` (DESIGN §4, §7), the app robot's HTTP callback. Order: DingTalk off →
 * 404; `timestamp` + `sign` within ±1 hour → else 401 and nothing happens; the pair's memory (the
 * sign does not cover the body): the same pair with the same body → 200 and nothing (a
 * redelivery), with another body → 401; parse (malformed → 400); kinds Baton does not handle →
 * 200; another corp's robot → 403; then the bot (a redelivered `msgId` → 200, nothing done twice)
 * and its answers (adapters/http/dingtalk.ts). The answer to DingTalk is an empty 200.
 */
export function registerDingTalkRoutes(app: Hono<AppEnv>): void {
  app.use(dingtalkWebhookPath, noStore);
  app.post(dingtalkWebhookPath, async (c) => {
    const services = c.get("services");
    const { config, clock, logger, database } = services;
    if (!isSurfaceEnabled(config, "dingtalk") || !config.DINGTALK_APP_SECRET) {
      throw new AppError("not_found", "DingTalk is not enabled.", { messageKey: "error.not_found" });
    }
    const request = await rawRequestOf(c);
    const now = clock.now();
    const verified = verifyDingTalkRequest(request, now, config.DINGTALK_APP_SECRET);
    if (!verified.ok) {
      logger.info({ surface: "dingtalk", reason: verified.reason }, "DingTalk request refused");
      throw unauthorized();
    }
    const pair = await rememberCallbackPair(database.db, verified, request.body, now);
    if (pair === "replay") {
      logger.warn({ surface: "dingtalk" }, "a used DingTalk timestamp/sign pair came with another body");
      throw unauthorized();
    }
    if (pair === "redelivery") return c.body(null, 200);
    const parsed = parseDingTalkRequest(request, { now });
    const [event] = parsed.kind === "events" ? parsed.events : [];
    if (!event) {
      logger.debug(
        { surface: "dingtalk", reason: parsed.kind === "ignored" ? parsed.reason : "empty" },
        "DingTalk request ignored",
      );
      return c.body(null, 200);
    }
    await handleDingTalkEvent(services, event, {
      requestSha256: createHash("sha256").update(request.body, "utf8").digest("hex"),
      signatureHeader: `${verified.timestamp}:${verified.sign}`,
    });
    return c.body(null, 200);
  });

  /**
   * Directory sync from DingTalk's user API: job number (工号) = employee id → the `dingtalk`
   * identity (adapters/http/dingtalk-connectors.ts). Answers what was linked and what did not fit.
   */
  app.post("/api/v1/dingtalk/directory-sync", requireScope("employees:write"), async (c) =>
    c.json(await dingtalkDirectorySync(c.get("services"))),
  );

  /**
   * A `bpms_instance_change` event, forwarded by whatever receives DingTalk's event subscription
   * (its encrypted HTTP push, or a Stream client elsewhere; `DINGTALK_STREAM=1` has Baton hold the
   * Stream itself, adapters/http/dingtalk-stream.ts): the instance is read back from DingTalk and
   * an approved resignation becomes a case, once per instance (the same key either way).
   */
  app.post(
    "/api/v1/dingtalk/approval-events",
    requireScope("cases:write"),
    rawBody("application/json", "A DingTalk bpms_instance_change event, as DingTalk delivers it."),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new AppError("bad_request", "The request body is not valid JSON.", {
          messageKey: "error.bad_json",
        });
      }
      const outcome = await dingtalkApprovalToCase(c.get("services"), body);
      return c.json(outcome, outcome.status === "opened" && outcome.created ? 201 : 200);
    },
  );
}
