import canonicalize from "canonicalize";
import { z } from "zod";
import { sha256Hex } from "../audit/chain.ts";
import { type Terms, termKeys, termsSchema } from "../compliance/lint/terms.ts";
import type { Locale } from "../messages/index.ts";

/**
 * An agreement version is two Markdown documents, zh-CN and en, each opening with YAML front
 * matter between `---` lines: its `title` in that language, `signWithinDays`, and the structured
 * terms the linter checks (under `terms:` or at the top level; `appliesTo.roles` says which roles
 * must sign it). Terms may sit in either document; where both carry a key the values must be the
 * same, so the two languages never bind the employee to different terms.
 *
 * The hash that publishing fixes (DESIGN §6):
 *   textHash(locale) = SHA-256 hex of the UTF-8 bytes of that document exactly as stored
 *                      (front matter included, line ends normalised to \n);
 *   hash             = SHA-256 hex of the ASCII string textHash(zh-CN) ‖ textHash(en).
 * Anyone can recompute it with standard tools:
 *   printf '%s%s' "$(sha256sum < zh-CN.md | cut -c1-64)" "$(sha256sum < en.md | cut -c1-64)" | sha256sum
 */
export const agreementLocales = ["zh-CN", "en"] as const satisfies readonly Locale[];

export type AgreementTexts = Record<Locale, string>;

/** Agreement ids are short slugs (`confidentiality`); versions are whole numbers from 1. */
export const agreementIdPattern = /^[a-z][a-z0-9-]{1,63}$/;
export const maxAgreementTextLength = 200_000;

export type AgreementProblem = { locale: Locale; line?: number; path?: string; message: string };

export type ParsedAgreement = {
  title: Record<Locale, string>;
  terms: Terms;
  /** How many calendar days a signature request gives the employee (default 7). */
  signWithinDays: number;
  /** The Markdown bodies without their front matter (for display and the linter's text heuristics). */
  bodies: Record<Locale, { body: string; bodyFirstLine: number }>;
};

export const defaultSignWithinDays = 7;

const ownKeys = ["title", "signWithinDays"] as const;
const ownSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    signWithinDays: z.number().int().min(1).max(365).optional(),
  })
  .strict();

/** Line ends to \n and no byte-order mark: the stored form, which is what gets hashed. */
export function normaliseAgreementText(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

/** A document split into its front matter (parsed YAML, undefined when absent) and Markdown body. */
export type SplitDocument = { frontMatter: unknown; body: string; bodyFirstLine: number };

/**
 * Splits and parses a document's front matter (adapters/shared/front-matter.ts in practice);
 * throws an error with an optional `line` when the YAML is wrong.
 */
export type FrontMatterSplitter = (text: string) => SplitDocument;

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalize(a) === canonicalize(b);
}

/** The terms of a front matter: under `terms:`, or the term keys at the top level. */
function termEntries(record: Record<string, unknown>): [string, unknown][] {
  if (Object.hasOwn(record, "terms")) {
    const terms = record.terms;
    return terms && typeof terms === "object" && !Array.isArray(terms)
      ? Object.entries(terms as Record<string, unknown>)
      : [["terms", terms]];
  }
  return Object.entries(record).filter(([key]) => (termKeys as string[]).includes(key));
}

/**
 * Reads both documents: front matter present and well-formed, titles given, terms valid and the
 * same in both languages. Problems name the language, the line or field, and what is wrong.
 */
export function parseAgreement(
  texts: AgreementTexts,
  split: FrontMatterSplitter,
): { ok: true; agreement: ParsedAgreement } | { ok: false; problems: AgreementProblem[] } {
  const problems: AgreementProblem[] = [];
  const titles: Partial<Record<Locale, string>> = {};
  const bodies: Partial<Record<Locale, { body: string; bodyFirstLine: number }>> = {};
  const shared: Record<string, { value: unknown; locale: Locale }> = {};
  const share = (locale: Locale, key: string, value: unknown) => {
    const earlier = shared[key];
    if (earlier && !sameJson(earlier.value, value)) {
      problems.push({ locale, path: key, message: `differs from the ${earlier.locale} text` });
    } else if (!earlier) shared[key] = { value, locale };
  };

  for (const locale of agreementLocales) {
    let document: SplitDocument;
    try {
      document = split(normaliseAgreementText(texts[locale]));
    } catch (error) {
      const line = (error as { line?: unknown }).line;
      problems.push({
        locale,
        ...(typeof line === "number" ? { line } : {}),
        message: `the front matter is not valid YAML: ${(error as Error).message}`,
      });
      continue;
    }
    const data = document.frontMatter;
    if (data === undefined) {
      problems.push({ locale, line: 1, message: "must begin with YAML front matter between --- lines" });
      continue;
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      problems.push({ locale, line: 2, message: "the front matter must be a mapping of keys to values" });
      continue;
    }
    if (document.body.trim() === "") problems.push({ locale, message: "the agreement text is empty" });
    bodies[locale] = { body: document.body, bodyFirstLine: document.bodyFirstLine };
    const record = data as Record<string, unknown>;
    const own = ownSchema.safeParse(
      Object.fromEntries(ownKeys.filter((k) => k in record).map((k) => [k, record[k]])),
    );
    if (!own.success) {
      for (const issue of own.error.issues) {
        problems.push({ locale, path: issue.path.join(".") || "title", message: issue.message });
      }
    } else {
      titles[locale] = own.data.title;
      if (own.data.signWithinDays !== undefined) share(locale, "signWithinDays", own.data.signWithinDays);
    }
    for (const key of Object.keys(record)) {
      if (
        !(ownKeys as readonly string[]).includes(key) &&
        key !== "terms" &&
        !(termKeys as string[]).includes(key)
      )
        problems.push({ locale, path: key, message: "unknown key; expected title, signWithinDays or terms" });
    }
    for (const [key, value] of termEntries(record)) share(locale, `terms.${key}`, value);
  }

  const termValues = Object.fromEntries(
    Object.entries(shared)
      .filter(([key]) => key.startsWith("terms."))
      .map(([key, { value }]) => [key.slice("terms.".length), value]),
  );
  const terms = termsSchema.safeParse(termValues);
  if (!terms.success) {
    for (const issue of terms.error.issues) {
      const key = `terms.${String(issue.path[0] ?? "")}`;
      problems.push({
        locale: shared[key]?.locale ?? "zh-CN",
        path: ["terms", ...issue.path.map(String)].join("."),
        message: issue.message,
      });
    }
  }
  if (problems.length > 0 || !terms.success) return { ok: false, problems };
  const within = shared.signWithinDays?.value;
  return {
    ok: true,
    agreement: {
      title: titles as Record<Locale, string>,
      terms: terms.data,
      signWithinDays: typeof within === "number" ? within : defaultSignWithinDays,
      bodies: bodies as Record<Locale, { body: string; bodyFirstLine: number }>,
    },
  };
}

export type AgreementHashes = { hash: string; textHashes: Record<Locale, string> };

/** The hashes publishing fixes; see the comment at the top of this file. */
export async function agreementHashes(texts: AgreementTexts): Promise<AgreementHashes> {
  const zh = await sha256Hex(texts["zh-CN"]);
  const en = await sha256Hex(texts.en);
  return { hash: await sha256Hex(zh + en), textHashes: { "zh-CN": zh, en } };
}

/** Roles that must sign this agreement (its `appliesTo.roles` term). */
export function requiredForRoles(terms: Terms): string[] {
  return terms.appliesTo?.roles ?? [];
}
