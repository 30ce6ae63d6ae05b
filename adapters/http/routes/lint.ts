import type { Hono } from "hono";
import { z } from "zod";
import { type LintReport, lint, presentFinding } from "../../../core/compliance/linter.ts";
import { lintMarkdown } from "../../shared/lint-document.ts";
import { readJson } from "../body.ts";
import { requestLocale } from "../errors.ts";
import { jsonBody, rawBody } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

/** A document to lint: structured terms, a Markdown document with front matter, or both parts. */
const lintBody = z.union([
  z.object({ document: z.string().max(500_000) }).strict(),
  z
    .object({ terms: z.unknown(), body: z.string().max(500_000).optional() })
    .strict()
    .refine((b) => b.terms !== undefined, { message: "give terms or a document", path: ["terms"] }),
]);

/**
 * `POST /api/v1/lint`: any authenticated caller. JSON `{ terms }` (optionally with `body` text) or
 * `{ document }` (Markdown with YAML front matter), or a raw `text/markdown` body. Always 200
 * with the findings; `ok` is false when any is an error.
 */
export function registerLintRoutes(app: Hono<AppEnv>): void {
  app.post(
    "/api/v1/lint",
    jsonBody(lintBody),
    rawBody(
      "text/markdown",
      "A document: Markdown with YAML front matter (text/plain is read the same way).",
    ),
    async (c) => {
      const contentType = c.req.header("content-type") ?? "";
      let result: LintReport;
      if (/^text\/(markdown|plain)\b/i.test(contentType)) {
        result = lintMarkdown(await c.req.text());
      } else {
        const body = await readJson(c, lintBody);
        result =
          "document" in body
            ? lintMarkdown(body.document)
            : lint({ terms: body.terms, ...(body.body === undefined ? {} : { body: body.body }) });
      }
      const locale = requestLocale(c);
      return c.json({
        ok: result.ok,
        errors: result.errors,
        warnings: result.warnings,
        findings: result.findings.map((f) => presentFinding(f, locale)),
      });
    },
  );
}
