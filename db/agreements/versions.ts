import {
  type AgreementTexts,
  agreementHashes,
  agreementLocales,
  type FrontMatterSplitter,
  normaliseAgreementText,
  type ParsedAgreement,
  parseAgreement,
} from "../../core/agreements/document.ts";
import { type LintFinding, lint } from "../../core/compliance/linter.ts";
import { AppError } from "../../core/errors.ts";
import type { Locale } from "../../core/messages/index.ts";
import type { Db } from "../client.ts";
import {
  type AgreementVersionRow,
  findVersion,
  publishVersion,
  putDraft,
  textsOf,
} from "../repositories/agreements.ts";

/** A linter finding with the language of the text it was found in. */
export type AgreementFinding = LintFinding & { locale: Locale };

function parseOrThrow(texts: AgreementTexts, split: FrontMatterSplitter): ParsedAgreement {
  const parsed = parseAgreement(texts, split);
  if (!parsed.ok) {
    throw new AppError("unprocessable", "The agreement texts have problems.", {
      messageKey: "agreement.invalid",
      details: parsed.problems,
    });
  }
  return parsed.agreement;
}

/** The linter over both texts: the terms once, each body's free text (which only ever warns). */
export function lintAgreement(parsed: ParsedAgreement): AgreementFinding[] {
  const findings: AgreementFinding[] = [];
  for (const locale of agreementLocales) {
    const { body, bodyFirstLine } = parsed.bodies[locale];
    const report = lint({ ...(locale === "zh-CN" ? { terms: parsed.terms } : {}), body, bodyFirstLine });
    findings.push(...report.findings.map((f) => ({ ...f, locale })));
  }
  return findings;
}

/**
 * Saves a draft (inside the caller's transaction): both texts must parse, with valid terms that
 * agree between the languages (422 with the problems otherwise). Lint findings come back so an
 * author sees them early; only publishing refuses errors.
 */
export async function saveDraft(
  tx: Db,
  input: { agreementId: string; version: number; texts: AgreementTexts },
  split: FrontMatterSplitter,
  actor: string,
  now: Date,
): Promise<{ created: boolean; row: AgreementVersionRow; findings: AgreementFinding[] }> {
  const texts: AgreementTexts = {
    "zh-CN": normaliseAgreementText(input.texts["zh-CN"]),
    en: normaliseAgreementText(input.texts.en),
  };
  const parsed = parseOrThrow(texts, split);
  const hashes = await agreementHashes(texts);
  const { created, row } = await putDraft(
    tx,
    { agreementId: input.agreementId, version: input.version, texts, parsed, hashes },
    actor,
    now,
  );
  return { created, row, findings: lintAgreement(parsed) };
}

/**
 * Publishes a draft (inside the caller's transaction): the stored texts are parsed and linted
 * again — any error finding refuses it (422, the findings in `details`) — and the hashes of
 * exactly those texts are fixed.
 */
export async function publishDraft(
  tx: Db,
  input: { agreementId: string; version: number },
  split: FrontMatterSplitter,
  actor: string,
  now: Date,
): Promise<{ row: AgreementVersionRow; findings: AgreementFinding[] }> {
  const draft = await findVersion(tx, input.agreementId, input.version, { forUpdate: true });
  if (!draft)
    throw new AppError("not_found", `There is no agreement ${input.agreementId} version ${input.version}.`);
  if (draft.status === "published") {
    throw new AppError(
      "conflict",
      `Agreement ${input.agreementId} version ${input.version} is already published.`,
    );
  }
  const texts = textsOf(draft);
  const findings = lintAgreement(parseOrThrow(texts, split));
  const errors = findings.filter((f) => f.severity === "error");
  if (errors.length > 0) {
    throw new AppError("unprocessable", `The linter found ${errors.length} error(s).`, {
      messageKey: "agreement.lint_failed",
      params: { errors: errors.length },
      details: findings,
    });
  }
  const row = await publishVersion(tx, { ...input, hashes: await agreementHashes(texts) }, actor, now);
  return { row, findings };
}
