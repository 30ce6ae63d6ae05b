import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { clientIp } from "../client-ip.ts";
import type { AppEnv, Services } from "../services.ts";

const acceptableRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

/** Puts the services, a request id and the client IP on the context; logs one line per request. */
export function requestContext(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && acceptableRequestId.test(incoming) ? incoming : randomUUID();
    c.set("services", services);
    c.set("requestId", requestId);
    c.set("auth", undefined);
    c.set("session", undefined);
    c.set(
      "clientIp",
      clientIp(
        services.remoteAddress(c.env),
        c.req.header("x-forwarded-for"),
        services.config.BATON_TRUSTED_PROXIES,
      ),
    );
    await next();
    c.header("x-request-id", requestId);
    // The route pattern, never the raw path: /a/:token carries a secret in its path.
    services.logger.info(
      {
        requestId,
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        principal: c.get("auth")?.principal ?? c.get("session")?.principal,
      },
      "request",
    );
  };
}
