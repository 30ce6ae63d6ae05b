import { isMessageKey, type Locale, translate } from "../messages/index.ts";
import { type LintFinding, type LintReport, report } from "./lint/finding.ts";
import { termFindings } from "./lint/rules.ts";
import { type Terms, termKeys, termsSchema } from "./lint/terms.ts";
import { textFindings } from "./lint/text-heuristics.ts";

export type { LawArticle, LintFinding, LintReport } from "./lint/finding.ts";
export { maxDeclassificationMonths, maxNonCompeteMonths } from "./lint/rules.ts";
export {
  isNonCompeteCategory,
  type NonCompeteCategory,
  nonCompeteCategories,
  type Terms,
  termsSchema,
} from "./lint/terms.ts";

/**
 * The template & agreement linter (DESIGN §6 "Linter"). Structured terms are checked rule by rule,
 * each finding naming the article it breaks; free text only ever warns. Pure: callers parse the
 * Markdown front matter (adapters/shared/front-matter.ts) and pass what they found.
 */
export type LintInput = {
  /** The terms as written (unvalidated). Absent: only the text is checked. */
  terms?: unknown;
  /** Free text (the Markdown body) for the heuristics. */
  body?: string;
  /** The document line the body starts on, so text findings name real lines. */
  bodyFirstLine?: number;
};

/** Validates terms; problems become error findings with the path of the wrong field. */
export function parseTerms(raw: unknown): { terms?: Terms; findings: LintFinding[] } {
  const result = termsSchema.safeParse(raw);
  if (result.success) return { terms: result.data, findings: [] };
  return {
    findings: result.error.issues.map((issue) => ({
      severity: "error",
      code: "terms.invalid",
      article: null,
      params: { problem: issue.message },
      path: issue.path.map(String).join(".") || "terms",
    })),
  };
}

/**
 * The terms inside a document's front matter: under a `terms` key, or else the term keys
 * (`nonCompete`, `penalties`, …) at the top level beside the document's own metadata.
 */
export function termsOfFrontMatter(frontMatter: unknown): unknown {
  if (frontMatter === null || typeof frontMatter !== "object" || Array.isArray(frontMatter))
    return frontMatter;
  const record = frontMatter as Record<string, unknown>;
  if (Object.hasOwn(record, "terms")) return record.terms;
  return Object.fromEntries(termKeys.filter((k) => Object.hasOwn(record, k)).map((k) => [k, record[k]]));
}

export function lint(input: LintInput): LintReport {
  const findings: LintFinding[] = [];
  let terms: Terms | undefined;
  if (input.terms !== undefined) {
    const parsed = parseTerms(input.terms);
    findings.push(...parsed.findings);
    terms = parsed.terms;
    if (terms) findings.push(...termFindings(terms));
  }
  if (input.body) findings.push(...textFindings(input.body, terms, input.bodyFirstLine ?? 1));
  return report(findings);
}

export type PresentedFinding = {
  severity: "error" | "warning";
  code: string;
  /** The article's name in the reader's language, or null. */
  article: string | null;
  message: string;
  path: string;
  line?: number;
};

/** A finding in the reader's language, from the catalogue. */
export function presentFinding(finding: LintFinding, locale: Locale): PresentedFinding {
  const key = `lint.${finding.code}`;
  return {
    severity: finding.severity,
    code: finding.code,
    article: finding.article ? translate(locale, finding.article) : null,
    message: isMessageKey(key) ? translate(locale, key, localParams(finding.params, locale)) : finding.code,
    path: finding.path,
    ...(finding.line !== undefined ? { line: finding.line } : {}),
  };
}

/** Lengths travel as ISO 8601 durations (`P12M`, `P45D`) and are written out in the reader's language. */
function localParams(
  params: Readonly<Record<string, string | number>>,
  locale: Locale,
): Record<string, string | number> {
  const out: Record<string, string | number> = { ...params };
  const length = /^P(\d+)([MD])$/.exec(String(params.length ?? ""));
  if (length)
    out.length = translate(locale, length[2] === "M" ? "lint.length.months" : "lint.length.days", {
      n: Number(length[1]),
    });
  return out;
}
