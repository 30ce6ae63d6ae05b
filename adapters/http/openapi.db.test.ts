import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { knownScopes } from "../../core/access/scopes.ts";
import type { Database } from "../../db/client.ts";
import type { TestApp } from "../../test/helpers/app.ts";
import { testDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  companyTestApp,
  createKey,
  type ErrorBody,
  request,
} from "../../test/helpers/offboarding.ts";

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; required: boolean; schema: Schema };
type Operation = {
  operationId: string;
  security: Record<string, string[]>[];
  "x-baton-scopes": string[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  components: Record<string, Record<string, unknown>>;
  paths: Record<string, Record<string, Operation>>;
};

const methods = ["get", "put", "post", "delete", "patch"] as const;

/** Unsafe operations that really take no body: anything new that does must declare one. */
const noBody = [
  "DELETE /api/v1/admin/api-keys/{id}",
  "DELETE /api/v1/calendar/overrides/{date}",
  "DELETE /api/v1/channels/{id}",
  "POST /api/v1/admin/backups",
  "POST /api/v1/admin/seed",
  "POST /api/v1/admin/tick",
  "POST /api/v1/agreements/{id}/versions/{version}/publish",
  "POST /api/v1/dingtalk/directory-sync",
  "POST /api/v1/lark/directory-sync",
  "POST /api/v1/outbox/{id}/retry",
  "POST /api/v1/training/assignments/{id}/attempts",
  "POST /api/v1/training/assignments/{id}/lessons/{lesson}/open",
  "POST /api/v1/training/assignments/{id}/lessons/{lesson}/pages/{page}/read",
];

/**
 * A JSON Schema check for the keywords the document uses, so the test can ask the document
 * whether a body is valid; an unknown keyword fails the test rather than passing silently.
 */
function conforms(schema: Schema, value: unknown): boolean {
  const typeOf = (v: unknown) =>
    v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;
  for (const [keyword, rule] of Object.entries(schema)) {
    const ok = (() => {
      switch (keyword) {
        case "type": {
          const types = Array.isArray(rule) ? rule : [rule];
          const t = typeOf(value);
          return types.includes(t) || (t === "integer" && types.includes("number"));
        }
        case "enum":
          return (rule as unknown[]).includes(value);
        case "const":
          return rule === value;
        case "anyOf":
          return (rule as Schema[]).some((s) => conforms(s, value));
        case "oneOf":
          return (rule as Schema[]).filter((s) => conforms(s, value)).length === 1;
        case "allOf":
          return (rule as Schema[]).every((s) => conforms(s, value));
        case "required":
          return typeOf(value) !== "object" || (rule as string[]).every((k) => k in (value as object));
        case "properties":
          return (
            typeOf(value) !== "object" ||
            Object.entries(rule as Record<string, Schema>).every(
              ([k, s]) => !(k in (value as object)) || conforms(s, (value as Record<string, unknown>)[k]),
            )
          );
        case "additionalProperties": {
          if (typeOf(value) !== "object") return true;
          const known = Object.keys((schema.properties ?? {}) as object);
          const extra = Object.entries(value as object).filter(([k]) => !known.includes(k));
          return rule === false ? extra.length === 0 : extra.every(([, v]) => conforms(rule as Schema, v));
        }
        case "propertyNames":
          return (
            typeOf(value) !== "object" ||
            Object.keys(value as object).every((k) => conforms(rule as Schema, k))
          );
        case "items":
          return !Array.isArray(value) || value.every((v) => conforms(rule as Schema, v));
        case "minItems":
          return !Array.isArray(value) || value.length >= (rule as number);
        case "maxItems":
          return !Array.isArray(value) || value.length <= (rule as number);
        case "minLength":
          return typeof value !== "string" || [...value].length >= (rule as number);
        case "maxLength":
          return typeof value !== "string" || [...value].length <= (rule as number);
        case "pattern":
          return typeof value !== "string" || new RegExp(rule as string, "u").test(value);
        case "minimum":
          return typeof value !== "number" || value >= (rule as number);
        case "maximum":
          return typeof value !== "number" || value <= (rule as number);
        case "multipleOf":
          return typeof value !== "number" || Number.isInteger(value / (rule as number));
        case "default":
        case "format":
        case "description":
          return true;
        default:
          throw new Error(`the test's schema check does not know ${keyword}`);
      }
    })();
    if (!ok) return false;
  }
  return true;
}

let database: Database;
let t: TestApp;
let doc: Document;

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  t = await companyTestApp(database);
  const res = await request(t, "GET", "/api/v1/openapi.json");
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );

describe("the OpenAPI document's shape", () => {
  it("is OpenAPI 3.1 with unique operationIds, path parameters matching the paths, and every $ref resolving", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTruthy();
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      expect(path.startsWith("/api/v1/"), where).toBe(true);
      expect(path, where).not.toMatch(/[:*]/);
      expect(methods as readonly string[], where).toContain(method);
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === "path");
      expect(declared.map((p) => p.name).sort(), where).toEqual([...inPath].sort());
      expect(declared.every((p) => p.required)).toBe(true);
      const keys = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(keys).size, where).toBe(keys.length);
      expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
      for (const status of Object.keys(op.responses))
        expect(status, where).toMatch(/^([1-5](\d\d|XX)|default)$/);
      expect(
        op["x-baton-scopes"].every((s) => (knownScopes as readonly string[]).includes(s)),
        where,
      ).toBe(true);
      expect(op.security, where).toEqual([{ bearer: op["x-baton-scopes"] }]);
    }

    const refs: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
          if (k === "$ref") refs.push(v as string);
          else collect(v);
        }
      }
    };
    collect(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\//);
      const target = ref
        .slice(2)
        .split("/")
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
      expect(target, ref).toBeDefined();
    }
    for (const scheme of Object.values(
      doc.components.securitySchemes as Record<string, { type: string; scheme: string }>,
    )) {
      expect(scheme).toMatchObject({ type: "http", scheme: "bearer" });
    }
  });

  it("lists every /api/v1/ route the app has", () => {
    const documented = new Set(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    const routes = t.app.routes
      .filter((r) => r.method !== "ALL" && r.path.startsWith("/api/v1/"))
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)(\{[^/]*\})?/g, "{$1}")}`);
    expect(routes.length).toBeGreaterThan(50);
    for (const route of routes) expect(documented, route).toContain(route);
  });

  it("gives every unsafe operation a request body, except those known to take none", () => {
    const bodiless = operations()
      .filter(({ method, op }) => method !== "get" && op.requestBody === undefined)
      .map(({ path, method }) => `${method.toUpperCase()} ${path}`)
      .sort();
    expect(bodiless).toEqual([...noBody].sort());
    expect(operations().filter(({ method, op }) => method === "get" && op.requestBody)).toEqual([]);
  });

  it("refers 4xx answers to the one error shape", () => {
    const error = (doc.components.schemas as Record<string, Schema>).Error as Schema;
    const sample = { error: { code: "not_found", message: "No.", requestId: "r1" } };
    expect(conforms(error, sample)).toBe(true);
    expect(conforms(error, { error: { code: "nope", message: "No.", requestId: "r1" } })).toBe(false);
    const op = doc.paths["/api/v1/cases/{id}"]?.get as Operation;
    expect(op.responses["404"]).toEqual({ $ref: "#/components/responses/NotFound" });
    expect(op.responses["401"]).toEqual({ $ref: "#/components/responses/Unauthorized" });
  });
});

describe("the document is true to the routes", () => {
  it("names the scope each route demands: a key without it gets 403 for exactly that scope", async () => {
    // No route's registration asks for employees:sensitive, so this key lacks every scope listed.
    const key = await createKey(t, "system:probe", ["employees:sensitive"]);
    const scoped = operations().filter(({ op }) => op["x-baton-scopes"].length > 0);
    expect(scoped.length).toBeGreaterThan(40);
    expect(doc.paths["/api/v1/resignations"]?.post?.["x-baton-scopes"]).toEqual(["cases:write"]);
    expect(doc.paths["/api/v1/admin/api-keys"]?.post?.["x-baton-scopes"]).toEqual(["admin"]);
    expect(doc.paths["/api/v1/channels"]?.get?.["x-baton-scopes"]).toEqual(["channels:write"]);
    for (const { path, method, op } of scoped) {
      const url = path.replace(/\{([^}]+)\}/g, (_, name: string) =>
        op.parameters?.find((p) => p.name === name)?.schema.pattern ? "0a.pdf" : "x1",
      );
      const res = await request(t, method.toUpperCase(), url, undefined, key);
      const where = `${method} ${path}`;
      expect(res.status, where).toBe(403);
      const message = ((await res.json()) as ErrorBody).error.message;
      expect(message, where).toBe(`This API key lacks the scope ${op["x-baton-scopes"][0]}.`);
    }
  });

  const cases: {
    method: string;
    path: string;
    url: string;
    valid: unknown;
    invalid: unknown;
    status: number;
    headers?: Record<string, string>;
  }[] = [
    {
      method: "post",
      path: "/api/v1/admin/api-keys",
      url: "/api/v1/admin/api-keys",
      valid: { name: "OA", principal: "system:oa", scopes: ["cases:read"] },
      invalid: { name: "OA", principal: "system:oa", scopes: "cases:read" },
      status: 201,
    },
    {
      method: "post",
      path: "/api/v1/resignations",
      url: "/api/v1/resignations",
      valid: { employeeExternalId: "E1", noticeDate: "2026-03-02", separationType: "resignation" },
      invalid: { employeeExternalId: "E1", noticeDate: "2026-03-02", separationType: "quit" },
      status: 201,
      headers: { "idempotency-key": "openapi-1" },
    },
    {
      method: "put",
      path: "/api/v1/calendar/overrides/{date}",
      url: "/api/v1/calendar/overrides/2026-05-09",
      valid: { kind: "rest", reason: "Company day" },
      invalid: { kind: "holiday", reason: "Company day" },
      status: 201,
    },
    {
      method: "put",
      path: "/api/v1/entities/{id}",
      url: "/api/v1/entities/acme-bj",
      valid: { name: "Acme (Beijing) Ltd.", city: "Beijing", calendarRegion: "CN" },
      invalid: { name: "Acme (Beijing) Ltd.", city: "Beijing", calendarRegion: "china" },
      status: 200,
    },
    {
      method: "post",
      path: "/api/v1/lint",
      url: "/api/v1/lint",
      valid: { document: "---\ntitle: x\n---\nText" },
      invalid: { document: 42 },
      status: 200,
    },
  ];

  for (const c of cases) {
    it(`${c.method.toUpperCase()} ${c.path}: what its schema accepts the route accepts, and what it refuses gets 400`, async () => {
      const schema = doc.paths[c.path]?.[c.method]?.requestBody?.content["application/json"]
        ?.schema as Schema;
      expect(schema).toBeDefined();
      expect(conforms(schema, c.valid)).toBe(true);
      expect(conforms(schema, c.invalid)).toBe(false);
      const bad = await request(t, c.method.toUpperCase(), c.url, c.invalid, adminToken, c.headers);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as ErrorBody).error.details).toBeDefined();
      const good = await request(t, c.method.toUpperCase(), c.url, c.valid, adminToken, c.headers);
      expect(good.status).toBe(c.status);
    });
  }

  it("POST /api/v1/resignations: documents its Idempotency-Key header and dates, and the route needs the header", async () => {
    const op = doc.paths["/api/v1/resignations"]?.post as Operation;
    expect(op.parameters?.find((p) => p.in === "header")).toMatchObject({
      name: "Idempotency-Key",
      required: true,
    });
    const schema = op.requestBody?.content["application/json"]?.schema as {
      properties: Record<string, Schema>;
    };
    expect(schema.properties.noticeDate).toEqual({ type: "string", format: "date" });
    const body = { employeeExternalId: "E1", noticeDate: "2026-03-02" };
    expect((await request(t, "POST", "/api/v1/resignations", body)).status).toBe(400);
  });

  it("GET /api/v1/cases: query parameters the document bounds are bounded by the route", async () => {
    const limit = doc.paths["/api/v1/cases"]?.get?.parameters?.find((p) => p.name === "limit");
    expect(limit).toMatchObject({ in: "query", required: false, schema: { type: "integer", maximum: 200 } });
    expect(conforms(limit?.schema ?? {}, 201)).toBe(false);
    expect((await request(t, "GET", "/api/v1/cases?limit=201")).status).toBe(400);
    expect((await request(t, "GET", "/api/v1/cases?limit=200")).status).toBe(200);
  });
});
