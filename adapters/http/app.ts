import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { AppError, isAppError } from "../../core/errors.ts";
import { registerConnectorWebhooks } from "./connectors/webhook.ts";
import { errorResponse } from "./errors.ts";
import { registerHrConsole } from "./hr/index.ts";
import { registerLoginEmailRoutes } from "./login-email.ts";
import { apiAuth } from "./middleware/api-auth.ts";
import { requestContext } from "./middleware/request-context.ts";
import { securityHeaders } from "./middleware/security.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerAgreementRoutes } from "./routes/agreements.ts";
import { registerAuditRoutes } from "./routes/audit.ts";
import { registerCalendarRoutes } from "./routes/calendar.ts";
import { registerCaseRoutes } from "./routes/cases.ts";
import { registerCertificateRoutes } from "./routes/certificates.ts";
import { registerChannelRoutes } from "./routes/channels.ts";
import { registerDingTalkRoutes } from "./routes/dingtalk.ts";
import { registerDirectoryRoutes } from "./routes/directory.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerLarkRoutes } from "./routes/lark.ts";
import { registerLinkRoutes } from "./routes/links.ts";
import { registerLintRoutes } from "./routes/lint.ts";
import { registerNonCompeteRoutes } from "./routes/non-competes.ts";
import { registerOpenApiRoute } from "./routes/openapi.ts";
import { registerOutboxRoutes } from "./routes/outbox.ts";
import { registerSchedulerRoutes } from "./routes/scheduler.ts";
import { registerSessionRoutes } from "./routes/session.ts";
import { registerSettlementRoutes } from "./routes/settlement.ts";
import { registerSlackRoutes, slackWebhookPath } from "./routes/slack.ts";
import { registerTeamsRoutes } from "./routes/teams.ts";
import { registerTrainingRoutes } from "./routes/training.ts";
import { registerVerificationRoutes } from "./routes/verify.ts";
import { registerWebChatRoutes } from "./routes/web-chat.ts";
import type { AppEnv, Services } from "./services.ts";
import { loadSession } from "./sessions.ts";

/** Builds the HTTP app over ready-made services; runtime-neutral (Node and Workers entry points wrap it). */
export function createApp(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use("*", requestContext(services), securityHeaders);
  app.use(
    "*",
    bodyLimit({
      maxSize: services.config.BATON_MAX_BODY_BYTES,
      onError: () => {
        throw new AppError("payload_too_large", "The request body is too large.", {
          messageKey: "error.payload_too_large",
          params: { limit: services.config.BATON_MAX_BODY_BYTES },
        });
      },
    }),
  );

  registerHealthRoutes(app);

  // Everything below needs a migrated database.
  app.use("*", async (_c, next) => {
    if (services.readiness.migrations !== "current") {
      throw new AppError("not_ready", "Baton is starting up.", { messageKey: "error.not_ready" });
    }
    await next();
  });
  app.use("*", loadSession);
  // Requests may have committed evidence entries, outbox rows or inbound messages; the workers are
  // debounced, so waking them is cheap.
  app.use("*", async (c, next) => {
    await next();
    // The Slack webhook wakes what its commits need itself (the bot after its batches): under a
    // burst of clicks, waking every worker on every request costs more than storing the click.
    if (c.req.path === slackWebhookPath) return;
    services.chainWriter.wake();
    services.dispatcher.wake();
    services.inbox.wake();
  });
  app.use("/api/*", apiAuth);

  registerSessionRoutes(app);
  registerAdminRoutes(app);
  registerCalendarRoutes(app);
  registerDirectoryRoutes(app);
  registerLinkRoutes(app);
  registerLoginEmailRoutes(app);
  registerAuditRoutes(app);
  registerVerificationRoutes(app);
  registerChannelRoutes(app);
  registerOutboxRoutes(app);
  registerSchedulerRoutes(app);
  registerLintRoutes(app);
  registerSettlementRoutes(app);
  registerNonCompeteRoutes(app);
  registerConnectorWebhooks(app);
  registerCertificateRoutes(app);
  registerAgreementRoutes(app);
  registerTrainingRoutes(app);
  registerCaseRoutes(app);
  registerHrConsole(app);
  registerWebChatRoutes(app);
  registerSlackRoutes(app);
  registerDingTalkRoutes(app);
  registerLarkRoutes(app);
  registerTeamsRoutes(app);
  registerOpenApiRoute(app);

  app.notFound((c) => errorResponse(c, new AppError("not_found", "", { messageKey: "error.not_found" })));
  app.onError((error, c) => {
    if (isAppError(error)) return errorResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      const code =
        error.status === 413 ? "payload_too_large" : error.status === 401 ? "unauthorized" : "bad_request";
      return errorResponse(c, new AppError(code, error.message || "The request is not valid."));
    }
    services.logger.error(
      {
        requestId: c.get("requestId"),
        route: c.req.routePath,
        err: { name: error.name, message: error.message, stack: error.stack },
      },
      "unhandled error",
    );
    return errorResponse(c, new AppError("internal", "", { messageKey: "error.internal" }));
  });
  return app;
}
