import type { LawArticle, LintFinding } from "./finding.ts";
import type { Terms } from "./terms.ts";

type Heuristic = {
  code: string;
  article: LawArticle;
  pattern: RegExp;
  /** Skip when the structured terms already declare what the text talks about. */
  coveredBy?: (terms: Terms | undefined) => boolean;
};

/**
 * Phrases in zh and en that often carry an unlawful clause. Text is ambiguous, so these only
 * warn: a reviewer reads the line and either fixes it or declares the term in the front matter.
 */
const heuristics: readonly Heuristic[] = [
  {
    code: "text.penalty",
    article: "law.lcl_art25",
    pattern: /违约金|\bpenalt(?:y|ies)\b|liquidated damages/i,
  },
  {
    code: "text.delayed_processing",
    article: "law.lcl_art37_art26",
    pattern:
      /(?:一年|12\s*个月|半年|六个月|满\s*\d+\s*个?月)后(?:再|方可|才)?(?:予以)?(?:办理|批准|处理)|(?:先|需|须)(?:调岗|转岗|轮岗).{0,12}(?:后|再|方可|才).{0,8}(?:办理|离职|辞职)|\b(?:transfer|reassign|move)\w*\b.{0,60}\b(?:a|one|1|two|2|six|6|12)[\s-]*(?:years?|months?)\b.{0,80}\b(?:before|until|prior to)\b.{0,60}\b(?:process|resign|leave|release)|\b(?:process|release)\b.{0,30}\bresignation\b.{0,30}\bafter\b.{0,20}\b(?:a|one|two|\d+)\s*(?:years?|months?)\b/i,
  },
  {
    code: "text.approval",
    article: "law.lcl_art37",
    pattern:
      /请予批准|(?:批准|审批|同意)(?:其|你的?|您的?|员工的?)?(?:离职|辞职)|(?:离职|辞职)(?:申请)?(?:(?!无需|无须|不需|不必|不用|毋需)[^，。；,.;]){0,10}?(?:批准|审批)|\bapprov\w*\s+(?:of\s+)?(?:your|the|his|her|their|an?|this)\s+resignation|\bresignation\b.{0,30}\b(?:subject to|requires?|needs?|pending)\b.{0,20}\bapproval\b/i,
  },
  {
    code: "text.certificate_gated",
    article: "law.lcl_art50",
    pattern:
      /(?:交接|培训|结算|审计|考试).{0,12}(?:完毕|完成|结束|合格|通过)?(?:之)?后.{0,12}(?:出具|开具|发放|办理).{0,6}(?:离职证明|解除.{0,4}证明|档案|社保)|(?:离职证明|档案|社保).{0,16}(?:交接|培训|结算|审计).{0,8}(?:完毕|完成|之后|后)|\b(?:certificate|personnel file|social insurance)\b.{0,60}\b(?:after|once|until|upon|only when)\b.{0,40}\b(?:handover|hand-over|training|settlement|audit|clearance)\b/i,
  },
  {
    code: "text.deposit",
    article: "law.lcl_art9",
    pattern:
      /押金|保证金|扣押.{0,6}(?:身份证|证件|毕业证)|\bdeposit\b|\bwithh[oe]ld\w*\b.{0,20}\b(?:ID|identity card|passport|diploma)\b/i,
  },
  {
    code: "text.declassification_undeclared",
    article: "law.mol_1996_355_art2",
    pattern: /脱密期|脱密|de-?classification period/i,
    coveredBy: (terms) => terms?.declassificationPeriod !== undefined,
  },
  {
    code: "text.non_compete_undeclared",
    article: "law.lcl_art24",
    pattern: /竞业限制|竞业禁止|non-?compet(?:e|ition)/i,
    coveredBy: (terms) => terms?.nonCompete !== undefined,
  },
];

/** Warnings for lines of free text (zh/en); `firstLine` is the document line the text starts on. */
export function textFindings(text: string, terms: Terms | undefined, firstLine = 1): LintFinding[] {
  const out: LintFinding[] = [];
  const lines = text.split(/\r?\n/);
  for (const heuristic of heuristics) {
    if (heuristic.coveredBy?.(terms)) continue;
    lines.forEach((line, index) => {
      if (/^\s{0,3}#/.test(line)) return; // a heading names a topic, it is not a clause
      const match = heuristic.pattern.exec(line);
      if (!match || negated(line, match.index)) return;
      out.push({
        severity: "warning",
        code: heuristic.code,
        article: heuristic.article,
        params: { excerpt: excerpt(line, match.index, match[0].length) },
        path: "body",
        line: firstLine + index,
      });
    });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/**
 * "本协议不约定违约金", "contains no non-competition clause": a negation shortly before the phrase,
 * in the same clause, turns a risky phrase into a safe one.
 */
function negated(line: string, start: number): boolean {
  const before = line.slice(Math.max(0, start - 24), start);
  const clause = before.slice(
    Math.max(...[...before.matchAll(/[，。；：,.;:]/g)].map((m) => (m.index ?? -1) + 1), 0),
  );
  return /不|无|没有|未|免/.test(clause) || /\b(?:no|not|never|without|none|nor)\b/i.test(clause);
}

/** The matched phrase with a little context, at most about 80 characters. */
function excerpt(line: string, start: number, length: number): string {
  const from = Math.max(0, start - 20);
  const to = Math.min(line.length, start + length + 20);
  const core = line.slice(from, to).trim();
  return `${from > 0 ? "…" : ""}${core.length > 80 ? `${core.slice(0, 80)}…` : core}${to < line.length ? "…" : ""}`;
}
