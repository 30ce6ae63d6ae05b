import type { Hono } from "hono";
import { AppError } from "../../../core/errors.ts";
import { translate } from "../../../core/messages/index.ts";
import {
  isLoopbackServiceUrl,
  renderInvokeError,
  runTeamsTurn,
  type TurnResult,
  verifyTeamsRequest,
  webhookPath,
} from "../../teams/index.ts";
import { lowerCaseHeaders } from "../body.ts";
import type { AppEnv } from "../services.ts";
import { teamsGatewayOf, teamsMode, teamsTurnDeps } from "../teams.ts";

const unauthorized = () =>
  new AppError("unauthorized", "The Bot Framework token is missing or not valid.", {
    messageKey: "error.unauthorized",
  });

/**
 * `POST /webhooks/teams` (DESIGN §4), the Azure Bot's messaging endpoint: 404 while Teams is off;
 * a bearer token required, then botbuilder authenticates it (401 and nothing done otherwise); a
 * body that is not an activity → 400; another tenant → 403; otherwise the turn runs
 * (adapters/teams/turn.ts) and the answer is botbuilder's: 200, or the invoke response.
 */
export function registerTeamsRoutes(app: Hono<AppEnv>): void {
  app.post(webhookPath, async (c) => {
    const services = c.get("services");
    const { config, logger } = services;
    const mode = teamsMode(config);
    if (mode === "off") throw new AppError("not_found", "", { messageKey: "error.not_found" });

    const raw = await c.req.text();
    const headers = lowerCaseHeaders(c);
    const verified = verifyTeamsRequest(
      { method: c.req.method, url: c.req.url, headers, body: raw },
      { authenticated: mode === "authenticated" },
    );
    if (!verified.ok) {
      logger.info({ surface: "teams", reason: verified.reason }, "Teams request refused");
      throw unauthorized();
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new AppError("bad_request", "The request body is not valid JSON.", {
        messageKey: "error.bad_json",
      });
    }
    const activity = body as Record<string, unknown>;
    if (
      typeof body !== "object" ||
      body === null ||
      Array.isArray(body) ||
      typeof activity.type !== "string" ||
      typeof activity.serviceUrl !== "string" ||
      activity.serviceUrl === ""
    ) {
      throw new AppError("bad_request", "The body is not a Bot Framework activity (type, serviceUrl).", {
        messageKey: "error.bad_request",
      });
    }
    if (mode === "local" && !isLoopbackServiceUrl(activity.serviceUrl as string)) {
      // Without authentication Baton must not send anything (nor its replies) to another host.
      throw new AppError("forbidden", "Without authentication only loopback service URLs are served.", {
        messageKey: "error.forbidden",
      });
    }

    const gateway = await teamsGatewayOf(config);
    const isInvoke = activity.type === "invoke";
    let result: TurnResult = { kind: "done" };
    let processed: Awaited<ReturnType<typeof gateway.process>>;
    try {
      processed = await gateway.process({ method: "POST", headers, body: activity }, async (turn) => {
        try {
          result = await runTeamsTurn(teamsTurnDeps(services, gateway), turn);
        } catch (error) {
          if (!isInvoke) throw error;
          // An invoke is answered, never with a 500 (Teams would show its error on the card).
          logger.error({ surface: "teams", error: (error as Error).name }, "a Teams invoke failed");
          const locale = String(activity.locale ?? "")
            .toLowerCase()
            .startsWith("en")
            ? "en"
            : "zh-CN";
          turn.respond(renderInvokeError(500, "InternalError", translate(locale, "bot.error.internal")));
        }
      });
    } catch {
      throw new AppError("bad_request", "The body is not a Bot Framework activity.", {
        messageKey: "error.bad_request",
      });
    }

    if (!processed.turnRan) {
      // botbuilder refused it before the turn: a bad token (its 401, or the 500 a bad signature
      // gives), a malformed activity (400).
      logger.info(
        { surface: "teams", status: processed.status, reason: String(processed.body ?? "").slice(0, 200) },
        "Teams request not authenticated",
      );
      if (processed.status === 400) {
        throw new AppError("bad_request", "The body is not a Bot Framework activity.", {
          messageKey: "error.bad_request",
        });
      }
      throw unauthorized();
    }
    const outcome = result as TurnResult;
    if (outcome.kind === "refused") {
      throw new AppError("forbidden", "This tenant is not served here.", { messageKey: "error.forbidden" });
    }
    if (outcome.kind === "bad-request") {
      throw new AppError("bad_request", outcome.message, { messageKey: "error.bad_request" });
    }
    if (processed.status >= 500) {
      throw new AppError("internal", "", { messageKey: "error.internal" });
    }
    const { status, body: answer } = processed;
    if (answer === undefined || answer === null || answer === "") return c.body(null, status as 200);
    if (typeof answer === "string") return c.text(answer, status as 200);
    return c.json(answer as object, status as 200);
  });
}
