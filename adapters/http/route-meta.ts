import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { z } from "zod";
import type { Scope } from "../../core/access/scopes.ts";

/**
 * What a route's registration says about it, read by the OpenAPI document (routes/openapi.ts):
 * the scope its `requireScope` middleware demands and the schemas its body and query are read with.
 * The metadata rides on the middleware functions themselves, so the document follows the routes.
 */
export type RouteMeta = {
  scope?: Scope;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Bodies read without a schema (a CSV file, Markdown, a platform's event), by media type. */
  rawBodies?: { mediaType: string; description: string }[];
  /** Request headers the route reads itself. */
  headers?: { name: string; required: boolean; description: string }[];
};

const metadata = new WeakMap<object, RouteMeta>();

export function withMeta<H extends object>(handler: H, meta: RouteMeta): H {
  metadata.set(handler, { ...metadata.get(handler), ...meta });
  return handler;
}

export function metaOf(handler: unknown): RouteMeta | undefined {
  return typeof handler === "function" ? metadata.get(handler) : undefined;
}

const passThrough = (): MiddlewareHandler => async (_c, next) => {
  await next();
};

/** Declares the JSON body a route reads with `readJson(c, schema)`; the request passes through. */
export function jsonBody(schema: z.ZodType): MiddlewareHandler {
  return withMeta(passThrough(), { body: schema });
}

/** Declares the query a route reads with `readQuery(c, schema)`; the request passes through. */
export function queryParams(schema: z.ZodType): MiddlewareHandler {
  return withMeta(passThrough(), { query: schema });
}

/** Declares a body the route reads itself (not with `readJson`): its media type and what it is. */
export function rawBody(mediaType: string, description: string): MiddlewareHandler {
  return withMeta(passThrough(), { rawBodies: [{ mediaType, description }] });
}

/** Declares a request header the route reads itself, such as an Idempotency-Key. */
export function requestHeader(name: string, description: string, required = true): MiddlewareHandler {
  return withMeta(passThrough(), { headers: [{ name, required, description }] });
}

/**
 * Refuses to read a body or query the route did not declare: the OpenAPI document would not show
 * it. Any test that reaches the route fails with a 500 until the registration names the schema.
 */
export function assertDeclared(c: Context, kind: "body" | "query", schema: z.ZodType): void {
  if (matchedRoutes(c).some((route) => metaOf(route.handler)?.[kind] === schema)) return;
  const helper = kind === "body" ? "jsonBody" : "queryParams";
  throw new Error(
    `${c.req.method} ${c.req.routePath} reads a ${kind} it does not declare: add ${helper}(schema)`,
  );
}
