import type { Hono } from "hono";
import { z } from "zod";
import type { Scope } from "../../../core/access/scopes.ts";
import { isIsoDate } from "../../../core/compliance/dates.ts";
import { errorCodes } from "../../../core/errors.ts";
import { metaOf } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

type JsonSchema = Record<string, unknown>;
type Parameter = {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
  description?: string;
};
type RequestBody = {
  required: boolean;
  content: Record<string, { schema: JsonSchema }>;
  description?: string;
};

type Operation = {
  tags: string[];
  operationId: string;
  summary?: string;
  description: string;
  /** OpenAPI 3.1 lets a non-OAuth scheme list the roles it needs: here, the key's scopes. */
  security: { bearer: Scope[] }[];
  "x-baton-scopes": Scope[];
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses: Record<string, unknown>;
};

/** What the app's registrations say about one method on one path. */
type RouteFacts = {
  method: string;
  /** Hono's pattern, `:id` and all. */
  pattern: string;
  scopes: Scope[];
  body?: z.ZodType;
  query?: z.ZodType;
  rawBodies: { mediaType: string; description: string }[];
  headers: Parameter[];
};

const errorRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

const components = {
  securitySchemes: {
    bearer: {
      type: "http",
      scheme: "bearer",
      description: "A Baton API key (bk_…); each operation lists the scopes it needs in x-baton-scopes.",
    },
  },
  schemas: {
    Error: {
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["code", "message", "requestId"],
          properties: {
            code: {
              type: "string",
              enum: [...errorCodes],
            },
            message: { type: "string", description: "In the caller's language (Accept-Language)." },
            details: { description: "For a 400, the fields that are wrong: [{ path, code, message }]." },
            requestId: { type: "string", description: "Also in the X-Request-Id header." },
          },
        },
      },
    },
  },
  responses: Object.fromEntries(
    (
      [
        ["BadRequest", "Malformed JSON, or a body, query or path parameter of the wrong shape."],
        ["Unauthorized", "No valid API key, token or session."],
        ["Forbidden", "The key lacks the scope, the caller the role, or a session its CSRF token."],
        ["NotFound", "No such resource."],
        ["PayloadTooLarge", "The body is over BATON_MAX_BODY_BYTES."],
        ["Error", "Any other error (409, 410, 422, 429, 503 while starting, 500)."],
      ] as const
    ).map(([name, description]) => [
      name,
      { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
    ]),
  ),
};

/**
 * Whether middleware registered on `guard` runs for the route `pattern`: `:name` matches one
 * segment (the route's own `:id` included), a trailing `/*` also the bare prefix, as in Hono.
 */
function guardCovers(guard: string, pattern: string): boolean {
  const source = guard
    .split(/(\/\*$|:[A-Za-z0-9_]+|\*)/)
    .map((part) => {
      if (part === "/*") return "(?:/.*)?";
      if (part === "*") return ".*";
      if (part.startsWith(":")) return "[^/]+";
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`).test(pattern);
}

/**
 * Every method and path under /api/v1/, with the scopes, body and query its handlers and the
 * path middleware registered before it declare (route-meta.ts).
 */
function routeFacts(app: Hono<AppEnv>): RouteFacts[] {
  const guards: { pattern: string; scope: Scope }[] = [];
  const facts = new Map<string, RouteFacts>();
  for (const route of app.routes) {
    const meta = metaOf(route.handler);
    if (route.method === "ALL") {
      if (meta?.scope) guards.push({ pattern: route.path, scope: meta.scope });
      continue;
    }
    if (!route.path.startsWith("/api/v1/") || route.path.includes("*")) continue;
    const key = `${route.method} ${route.path}`;
    let entry = facts.get(key);
    if (!entry) {
      entry = {
        method: route.method.toLowerCase(),
        pattern: route.path,
        scopes: [...new Set(guards.filter((g) => guardCovers(g.pattern, route.path)).map((g) => g.scope))],
        rawBodies: [],
        headers: [],
      };
      facts.set(key, entry);
    }
    if (meta?.scope && !entry.scopes.includes(meta.scope)) entry.scopes.push(meta.scope);
    if (meta?.body) entry.body = meta.body;
    if (meta?.query) entry.query = meta.query;
    if (meta?.rawBodies) entry.rawBodies.push(...meta.rawBodies);
    for (const header of meta?.headers ?? []) {
      entry.headers.push({ ...header, in: "header", schema: { type: "string" } });
    }
  }
  return [...facts.values()];
}

/** `/cases/:id/steps/:key` → `/cases/{id}/steps/{key}` and its path parameters; `:file{regex}` keeps its regex. */
function pathOf(pattern: string): { path: string; parameters: Parameter[] } {
  const parameters: Parameter[] = [];
  const segments = pattern.split("/").map((segment) => {
    const match = /^:([A-Za-z0-9_]+)(?:\{(.+)\})?\??$/.exec(segment);
    if (!match) return segment;
    const [, name, regex] = match as unknown as [string, string, string | undefined];
    parameters.push({
      name,
      in: "path",
      required: true,
      schema: regex ? { type: "string", pattern: `^(?:${regex})$` } : { type: "string" },
    });
    return `{${name}}`;
  });
  return { path: segments.join("/"), parameters };
}

/** True when the schema carries a `.refine(fn)` with this very function. */
function refinedWith(schema: z.core.$ZodType, fn: unknown): boolean {
  return (schema._zod.def.checks ?? []).some((check) => (check._zod.def as { fn?: unknown }).fn === fn);
}

/**
 * The JSON Schema (2020-12, as OpenAPI 3.1 uses) of what a client sends: defaults make fields
 * optional. Refinements do not show in JSON Schema; a string checked with `isIsoDate` is a date.
 */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (refinedWith(zodSchema, isIsoDate)) jsonSchema.format = "date";
    },
  }) as JsonSchema;
  return rest;
}

function queryParameters(schema: z.ZodType): Parameter[] {
  const json = inputSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema: property,
  }));
}

function requestBodyOf(facts: RouteFacts): RequestBody | undefined {
  const content: Record<string, { schema: JsonSchema }> = {};
  const notes: string[] = [];
  let required = true;
  if (facts.body) {
    content["application/json"] = { schema: inputSchema(facts.body) };
    // readJson reads an empty body as {}.
    required = !facts.body.safeParse({}).success;
  }
  for (const raw of facts.rawBodies) {
    content[raw.mediaType] ??= { schema: raw.mediaType === "application/json" ? {} : { type: "string" } };
    notes.push(`${raw.mediaType}: ${raw.description}`);
  }
  if (Object.keys(content).length === 0) return undefined;
  return { required, content, ...(notes.length > 0 ? { description: notes.join("\n") } : {}) };
}

function operationOf(facts: RouteFacts, path: string, pathParameters: Parameter[]): Operation {
  const parameters = [
    ...pathParameters,
    ...(facts.query ? queryParameters(facts.query) : []),
    ...facts.headers,
  ];
  const requestBody = requestBodyOf(facts);
  const unsafe = facts.method !== "get";
  const responses: Record<string, unknown> = {
    "2XX": { description: "Success. The response bodies are described in the README." },
  };
  if (requestBody || parameters.length > 0) responses["400"] = errorRef("BadRequest");
  responses["401"] = errorRef("Unauthorized");
  if (facts.scopes.length > 0 || unsafe) responses["403"] = errorRef("Forbidden");
  if (pathParameters.length > 0) responses["404"] = errorRef("NotFound");
  if (requestBody) responses["413"] = errorRef("PayloadTooLarge");
  responses.default = errorRef("Error");
  const access =
    facts.scopes.length > 0
      ? `An API key with the scope${facts.scopes.length > 1 ? "s" : ""} ${facts.scopes.join(", ")}.`
      : "Any authenticated caller, a session too (with X-CSRF-Token on unsafe methods): the handler decides by who the caller is (their own records, their role, or a scope its 403 names).";
  return {
    tags: [path.split("/")[3] ?? "api"],
    operationId: `${facts.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    description: access,
    security: [{ bearer: facts.scopes }],
    "x-baton-scopes": facts.scopes,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/**
 * The REST API as OpenAPI 3.1, read from the routes the app really has: each operation's scopes
 * from its `requireScope` middleware, its body and query schemas from its `jsonBody`/`queryParams`
 * declarations (the zod schemas `readJson`/`readQuery` validate with), its path parameters from
 * the pattern. Response bodies are described in the README.
 */
export function openApiDocument(app: Hono<AppEnv>): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const facts of routeFacts(app)) {
    const { path, parameters } = pathOf(facts.pattern);
    paths[path] ??= {};
    (paths[path] as Record<string, Operation>)[facts.method] = operationOf(facts, path, parameters);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Baton REST API",
      version: "1",
      description:
        "Bearer API keys with scopes (x-baton-scopes on each operation). Errors share one shape, " +
        "#/components/schemas/Error.",
    },
    components,
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
