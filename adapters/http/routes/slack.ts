import type { Context, Hono } from "hono";
import { AppError } from "../../../core/errors.ts";
import { isSlackSslCheck, parseSlackRequest, verifySlackRequest } from "../../slack/index.ts";
import { rawRequestOf } from "../body.ts";
import { isSurfaceEnabled } from "../config.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { noStore } from "../middleware/security.ts";
import type { AppEnv } from "../services.ts";
import { slackIdentityReport, slackRuntime } from "../slack.ts";

export const slackWebhookPath = "/webhooks/slack";

/** Set once Hono's getter has thrown: this runtime (Node) has no execution context. */
let noExecutionContext = false;

/**
 * `c.executionCtx.waitUntil` on Workers; Hono's getter throws on Node, where nothing is needed
 * (asked once: building that error on every request costs more than the rest of the check).
 */
function waitUntilOf(c: Context<AppEnv>): ((p: Promise<unknown>) => void) | undefined {
  if (noExecutionContext) return undefined;
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    noExecutionContext = true;
    return undefined;
  }
}

/**
 * `POST /webhooks/slack` (DESIGN §4, §7): the Events API, interactivity and the `/baton` command on
 * one URL, as Bolt serves them. Order: Slack off → 404; the raw body; `ssl_check=1` → 200
 * (unsigned by design); the v0 signature within ±5 minutes → else 401 and nothing happens; parse
 * (malformed → 400); `url_verification` → the challenge; kinds Baton does not handle → 200; then
 * the team allow-list and the Bolt App (adapters/http/slack.ts).
 */
export function registerSlackRoutes(app: Hono<AppEnv>): void {
  app.use(slackWebhookPath, noStore);
  app.post(slackWebhookPath, async (c) => {
    const services = c.get("services");
    const { config, clock, logger } = services;
    const runtime = isSurfaceEnabled(config, "slack") ? slackRuntime(services) : undefined;
    if (!runtime || !config.SLACK_SIGNING_SECRET) {
      throw new AppError("not_found", "Slack is not enabled.", { messageKey: "error.not_found" });
    }
    const request = await rawRequestOf(c);
    if (isSlackSslCheck(request)) return c.body(null, 200);
    const now = clock.now();
    const verified = verifySlackRequest(request, now, config.SLACK_SIGNING_SECRET);
    if (!verified.ok) {
      logger.info(
        { surface: "slack", status: verified.status, reason: verified.reason },
        "Slack request refused",
      );
      throw new AppError("unauthorized", "The Slack signature is missing, wrong or stale.", {
        messageKey: "error.unauthorized",
      });
    }
    const parsed = parseSlackRequest(request, { now });
    if (parsed.kind === "handshake") {
      return typeof parsed.body === "string"
        ? c.body(parsed.body, 200)
        : c.json(parsed.body as Record<string, unknown>, 200);
    }
    const [event] = parsed.kind === "events" ? parsed.events : [];
    if (!event) {
      logger.debug(
        { surface: "slack", reason: parsed.kind === "ignored" ? parsed.reason : "empty" },
        "Slack request ignored",
      );
      return c.body(null, 200);
    }
    const answer = await runtime.handle(request, event, waitUntilOf(c));
    if (answer.body === undefined) return c.body(null, answer.status as 200);
    if (typeof answer.body === "string") return c.text(answer.body, answer.status as 200);
    return c.json(answer.body, answer.status as 200);
  });

  /**
   * Directory sync, read-only: `users.list` compared with the stored Slack identities. Proposals
   * (by work e-mail) are for HR to review and apply with `PUT /api/v1/employees/:id` (`identities`);
   * nothing is bound here.
   */
  app.get("/api/v1/slack/identity-proposals", requireScope("employees:write"), async (c) =>
    c.json(await slackIdentityReport(c.get("services"))),
  );
}
