import { type LintFinding, type LintReport, lint, termsOfFrontMatter } from "../../core/compliance/linter.ts";
import { FrontMatterError, parseFrontMatter } from "./front-matter.ts";

function isEmptyRecord(value: unknown): boolean {
  return (
    value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

/**
 * Lints a Markdown document: the structured terms of its front matter (under `terms:` or at the
 * top level) and the heuristics over its body. YAML that does not parse is an error finding with
 * its line, so a caller can show it like any other.
 */
export function lintMarkdown(source: string): LintReport {
  let document: ReturnType<typeof parseFrontMatter>;
  try {
    document = parseFrontMatter(source);
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    const finding: LintFinding = {
      severity: "error",
      code: "front_matter.invalid",
      article: null,
      params: { problem: error.message },
      path: "frontMatter",
      ...(error.line === undefined ? {} : { line: error.line }),
    };
    return { ok: false, errors: 1, warnings: 0, findings: [finding] };
  }
  const declared =
    document.frontMatter !== undefined &&
    (Object.hasOwn(Object(document.frontMatter), "terms") ||
      !isEmptyRecord(termsOfFrontMatter(document.frontMatter)));
  const result = lint({
    ...(declared ? { terms: termsOfFrontMatter(document.frontMatter) } : {}),
    body: document.body,
    bodyFirstLine: document.bodyFirstLine,
  });
  if (declared) return result;
  const missing: LintFinding = {
    severity: "warning",
    code: "terms.missing",
    article: null,
    params: {},
    path: "frontMatter",
  };
  return { ...result, warnings: result.warnings + 1, findings: [missing, ...result.findings] };
}
