import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readJson, readQuery } from "./body.ts";
import { requireScope } from "./middleware/api-auth.ts";
import { jsonBody, queryParams, rawBody } from "./route-meta.ts";
import { openApiDocument } from "./routes/openapi.ts";
import type { AppEnv } from "./services.ts";

const noteBody = z.object({ text: z.string().min(1), pinned: z.boolean().default(false) }).strict();
const optionalBody = z.object({ note: z.string().optional() });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).default(10), tag: z.string() });

type Operation = {
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  "x-baton-scopes": string[];
  security: Record<string, string[]>[];
  responses: Record<string, unknown>;
};

function sampleApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("/api/v1/admin/*", requireScope("admin"));
  app.post("/api/v1/notes", requireScope("cases:write"), jsonBody(noteBody), async (c) =>
    c.json(await readJson(c, noteBody), 201),
  );
  app.get("/api/v1/notes", queryParams(listQuery), (c) => c.json(readQuery(c, listQuery)));
  app.use("/api/v1/notes/:id/*", requireScope("cases:admin"));
  app.put("/api/v1/notes/:id/pin", jsonBody(optionalBody), async (c) =>
    c.json(await readJson(c, optionalBody)),
  );
  app.get("/api/v1/admin/files/:file{[0-9a-f]+\\.pdf}", (c) => c.text("pdf"));
  app.post("/api/v1/admin/import", rawBody("text/csv", "A CSV file."), (c) => c.text("ok"));
  // Registered after the route: it does not guard it, so the document must not list its scope.
  app.post("/api/v1/late", (c) => c.text("ok"));
  app.use("/api/v1/late", requireScope("channels:write"));
  // Reads bodies and queries it never declared, or declared a different schema for.
  app.post("/undeclared", async (c) => c.json(await readJson(c, noteBody)));
  app.post("/mismatched", jsonBody(optionalBody), async (c) => c.json(await readJson(c, noteBody)));
  app.get("/undeclared-query", (c) => c.json(readQuery(c, listQuery)));
  return app;
}

const post = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("declared bodies and queries", () => {
  it("reads a body or query only when the route's registration declares that very schema", async () => {
    const app = sampleApp();
    app.onError((error, c) => c.text(error.message, 500));
    const undeclared = await app.request("/undeclared", post({ text: "a" }));
    expect(undeclared.status).toBe(500);
    expect(await undeclared.text()).toBe(
      "POST /undeclared reads a body it does not declare: add jsonBody(schema)",
    );
    expect((await app.request("/mismatched", post({ text: "a" }))).status).toBe(500);
    const query = await app.request("/undeclared-query?tag=x");
    expect(await query.text()).toContain("add queryParams(schema)");
    const declared = new Hono<AppEnv>();
    declared.post("/api/v1/notes", jsonBody(noteBody), async (c) => c.json(await readJson(c, noteBody), 201));
    declared.get("/api/v1/notes", queryParams(listQuery), (c) => c.json(readQuery(c, listQuery)));
    const created = await declared.request("/api/v1/notes", post({ text: "a" }));
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ text: "a", pinned: false });
    expect(await (await declared.request("/api/v1/notes?tag=x")).json()).toEqual({ tag: "x", limit: 10 });
  });
});

describe("openApiDocument", () => {
  const doc = openApiDocument(sampleApp()) as { paths: Record<string, Record<string, Operation>> };
  const op = (path: string, method: string) => doc.paths[path]?.[method] as Operation;

  it("gives each operation the scopes of the requireScope middleware that guards it", () => {
    expect(op("/api/v1/notes", "post")["x-baton-scopes"]).toEqual(["cases:write"]);
    expect(op("/api/v1/notes", "post").security).toEqual([{ bearer: ["cases:write"] }]);
    expect(op("/api/v1/admin/import", "post")["x-baton-scopes"]).toEqual(["admin"]);
    expect(op("/api/v1/notes", "get")["x-baton-scopes"]).toEqual([]);
    expect(op("/api/v1/late", "post")["x-baton-scopes"]).toEqual([]);
    expect(op("/api/v1/notes/{id}/pin", "put")["x-baton-scopes"]).toEqual(["cases:admin"]);
    expect(op("/api/v1/notes", "post").responses).toHaveProperty("403");
  });

  it("describes the body a client sends with the route's own schema", () => {
    const body = op("/api/v1/notes", "post").requestBody;
    expect(body?.required).toBe(true);
    expect(body?.content["application/json"]?.schema).toEqual({
      type: "object",
      properties: { text: { type: "string", minLength: 1 }, pinned: { type: "boolean", default: false } },
      required: ["text"],
      additionalProperties: false,
    });
    // readJson reads an empty body as {}, which this schema accepts.
    expect(op("/api/v1/notes/{id}/pin", "put").requestBody?.required).toBe(false);
    expect(op("/api/v1/admin/import", "post").requestBody?.content).toEqual({
      "text/csv": { schema: { type: "string" } },
    });
    expect(op("/api/v1/late", "post").requestBody).toBeUndefined();
    expect(op("/api/v1/notes", "post").responses).toHaveProperty("400");
  });

  it("lists path parameters, keeping a route's own pattern, and the query's fields", () => {
    expect(op("/api/v1/notes/{id}/pin", "put").parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string" } },
    ]);
    expect(op("/api/v1/admin/files/{file}", "get").parameters).toEqual([
      {
        name: "file",
        in: "path",
        required: true,
        schema: { type: "string", pattern: "^(?:[0-9a-f]+\\.pdf)$" },
      },
    ]);
    expect(op("/api/v1/admin/files/{file}", "get").responses).toHaveProperty("404");
    const query = op("/api/v1/notes", "get").parameters ?? [];
    expect(query.map((p) => [p.name, p.in, p.required])).toEqual([
      ["limit", "query", false],
      ["tag", "query", true],
    ]);
    expect(query[0]?.schema).toMatchObject({ type: "integer", minimum: 1, default: 10 });
  });

  it("leaves out routes outside /api/v1/", () => {
    expect(Object.keys(doc.paths).every((p) => p.startsWith("/api/v1/"))).toBe(true);
  });
});
