import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../../core/errors.ts";
import type { RawRequest } from "../shared/surface.ts";
import { assertDeclared } from "./route-meta.ts";
import type { AppEnv } from "./services.ts";

/**
 * Parses a JSON body against a schema: malformed JSON or a wrong shape is a 400 with the issues.
 * The route's registration must declare the same schema with `jsonBody(schema)` (route-meta.ts).
 */
export async function readJson<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  assertDeclared(c, "body", schema);
  const text = await c.req.text(); // a body over the limit throws here, and becomes a 413
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.", {
      messageKey: "error.bad_json",
    });
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new AppError("bad_request", "The request body does not have the expected fields.", {
      details: result.error.issues.map((issue) => ({
        path: issue.path.join("."),
        code: issue.code,
        message: issue.message,
      })),
    });
  }
  return result.data;
}

/** Query parameters against a schema, declared with `queryParams(schema)`: a wrong one is a 400 with the issues. */
export function readQuery<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  assertDeclared(c, "query", schema);
  const result = schema.safeParse(c.req.query());
  if (!result.success) {
    throw new AppError("bad_request", "The query parameters are not valid.", {
      details: result.error.issues.map((issue) => ({
        path: issue.path.join("."),
        code: issue.code,
        message: issue.message,
      })),
    });
  }
  return result.data;
}

/** The posted form's text fields (files and repeated names are ignored); a body that is not a form gives none. */
export async function formFields(c: Context): Promise<Record<string, string>> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === "string") out[name] = value;
  return out;
}

/** The request's headers with lower-case names, as the surfaces' verifiers read them. */
export function lowerCaseHeaders(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  c.req.raw.headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** The request as a chat surface verifies it: method, URL, lower-case headers and the raw body. */
export async function rawRequestOf(c: Context): Promise<RawRequest> {
  return { method: c.req.method, url: c.req.url, headers: lowerCaseHeaders(c), body: await c.req.text() };
}
