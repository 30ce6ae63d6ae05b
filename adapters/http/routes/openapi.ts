import type { Hono } from "hono";
import type { AppEnv } from "../services.ts";

type Operation = {
  tags: string[];
  operationId: string;
  security: { bearer: [] }[];
  responses: Record<string, unknown>;
};

/**
 * The REST API's paths and methods as OpenAPI 3.1, read from the routes the app really has, so it
 * never lists a route that is gone. Request and response bodies are described in the README.
 */
export function openApiDocument(app: Hono<AppEnv>): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of app.routes) {
    if (!route.path.startsWith("/api/v1/") || route.method === "ALL" || route.path.includes("*")) continue;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const method = route.method.toLowerCase();
    const tag = path.split("/")[3] ?? "api";
    paths[path] ??= {};
    (paths[path] as Record<string, Operation>)[method] = {
      tags: [tag],
      operationId: `${method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      security: [{ bearer: [] }],
      responses: {
        default: {
          description: "The result, or the error shape { error: { code, message, details?, requestId } }",
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Baton REST API", version: "1" },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A Baton API key (bk_…)" } },
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** `GET /api/v1/openapi.json`: registered last, so it sees every route. */
export function registerOpenApiRoute(app: Hono<AppEnv>): void {
  let document: Record<string, unknown> | undefined;
  app.get("/api/v1/openapi.json", (c) => {
    document ??= openApiDocument(app);
    return c.json(document);
  });
}
