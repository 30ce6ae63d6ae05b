/**
 * The one slash command, `/baton`, with subcommands (DESIGN §7: bare `/status` is Slack's own).
 * Pure: text in, a typed {@link BotCommand} or a usage error with zh and en text out.
 *
 * Grammar (subcommands and keywords are case-insensitive; full-width forms are folded):
 *
 *   /baton                                   → help
 *   /baton help|帮助 [subcommand]            → help (about one subcommand)
 *   /baton resign|离职|辞职 [last day]       → the notice form, optionally with the requested
 *                                              last day (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日)
 *   /baton status|进度                       → my case
 *   /baton sign|签署 [agreement]             → the agreement to sign
 *   /baton training|培训 [course]            → lessons
 *   /baton quiz|考试 [course]                → the quiz
 *   /baton handover|交接 [case]              → managers: the handover checklist
 *   /baton cases|案件 [open|overdue|all]     → HR: cases (进行中|逾期|全部; default open)
 *   /baton bind|绑定 hr|人事|finance|财务    → make this group an HR / finance channel
 *                                              ("绑定HR" in one word works too)
 */

import { type IsoDate, isIsoDate } from "../core/compliance/dates.ts";
import { type Locale, locales, type MessageKey, translate } from "../core/messages/index.ts";
import type { BindTarget, Intent } from "./intents.ts";

export const commandName = "/baton";

export const subcommands = [
  "resign",
  "status",
  "sign",
  "training",
  "quiz",
  "handover",
  "cases",
  "bind",
  "help",
] as const;
export type Subcommand = (typeof subcommands)[number];

export const caseFilters = ["open", "overdue", "all"] as const;
export type CaseFilter = (typeof caseFilters)[number];

export type BotCommand =
  | { name: "resign"; requestedLastDay?: IsoDate }
  | { name: "status" }
  | { name: "sign"; agreement?: string }
  | { name: "training"; course?: string }
  | { name: "quiz"; course?: string }
  | { name: "handover"; caseRef?: string }
  | { name: "cases"; filter: CaseFilter }
  | { name: "bind"; target: BindTarget }
  | { name: "help"; topic?: Subcommand };

export type UsageErrorCode =
  | "not_baton"
  | "unknown_subcommand"
  | "bad_date"
  | "bad_argument"
  | "missing_bind_target"
  | "too_many_arguments";

export type UsageError = {
  code: UsageErrorCode;
  key: MessageKey;
  params: Record<string, string>;
  /** The message followed by the usage line, in each language. */
  text: Record<Locale, string>;
};

export type CommandResult = { ok: true; command: BotCommand } | { ok: false; error: UsageError };

const aliases: Record<string, Subcommand> = {
  resign: "resign",
  resignation: "resign",
  离职: "resign",
  辞职: "resign",
  status: "status",
  progress: "status",
  进度: "status",
  状态: "status",
  sign: "sign",
  签署: "sign",
  签字: "sign",
  training: "training",
  train: "training",
  培训: "training",
  quiz: "quiz",
  exam: "quiz",
  考试: "quiz",
  handover: "handover",
  交接: "handover",
  cases: "cases",
  case: "cases",
  案件: "cases",
  bind: "bind",
  绑定: "bind",
  help: "help",
  "?": "help",
  帮助: "help",
};

const bindAliases: Record<string, BindTarget> = {
  hr: "hr",
  人事: "hr",
  人力资源: "hr",
  finance: "finance",
  财务: "finance",
};

const filterAliases: Record<string, CaseFilter> = {
  open: "open",
  进行中: "open",
  overdue: "overdue",
  逾期: "overdue",
  all: "all",
  全部: "all",
};

/** Agreement, course and case references: ids or slugs, never free text. */
const referencePattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** The subcommand a word names, if any (case-insensitive, full-width folded). */
export function subcommandOf(word: string): Subcommand | undefined {
  const folded = word.normalize("NFKC").toLowerCase();
  return Object.hasOwn(aliases, folded) ? aliases[folded] : undefined;
}

function usageError(
  code: UsageErrorCode,
  key: MessageKey,
  params: Record<string, string> = {},
): CommandResult {
  const text = {} as Record<Locale, string>;
  for (const locale of locales) {
    text[locale] = `${translate(locale, key, params)}\n${translate(locale, "bot.command.usage")}`;
  }
  return { ok: false, error: { code, key, params, text } };
}

/** A date as people type it, as an ISO date; undefined when it is not a real date. */
export function parseDateArgument(value: string): IsoDate | undefined {
  const folded = value.normalize("NFKC").trim();
  const match =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(folded) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/.exec(folded);
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]!.padStart(2, "0")}-${match[3]!.padStart(2, "0")}`;
  return isIsoDate(iso) ? iso : undefined;
}

function tokensOf(text: string): string[] {
  return text
    .normalize("NFKC")
    .trim()
    .split(/\s+/u)
    .filter((token) => token.length > 0);
}

/**
 * Parses the text after `/baton` (what Slack sends as `text`, or the rest of a typed line).
 */
export function parseBatonArguments(text: string): CommandResult {
  const tokens = tokensOf(text);
  let [first, ...args] = tokens;
  if (first === undefined) return { ok: true, command: { name: "help" } };
  // "绑定HR" / "绑定财务" written as one word.
  const glued = /^绑定(.+)$/u.exec(first);
  if (glued?.[1]) {
    first = "绑定";
    args = [glued[1], ...args];
  }
  const name = subcommandOf(first);
  if (!name) return usageError("unknown_subcommand", "bot.command.unknown_subcommand", { word: first });
  const [arg, ...extra] = args;
  if (extra.length > 0) {
    return usageError("too_many_arguments", "bot.command.too_many_arguments", {
      subcommand: name,
      extra: extra.join(" "),
    });
  }
  const badArgument = (value: string) =>
    usageError("bad_argument", "bot.command.bad_argument", { value, subcommand: name });
  switch (name) {
    case "status":
      if (arg !== undefined) {
        return usageError("too_many_arguments", "bot.command.too_many_arguments", {
          subcommand: name,
          extra: arg,
        });
      }
      return { ok: true, command: { name } };
    case "resign": {
      if (arg === undefined) return { ok: true, command: { name } };
      const day = parseDateArgument(arg);
      if (!day) return usageError("bad_date", "bot.command.bad_date", { value: arg });
      return { ok: true, command: { name, requestedLastDay: day } };
    }
    case "sign":
    case "training":
    case "quiz":
    case "handover": {
      if (arg === undefined) return { ok: true, command: { name } };
      if (!referencePattern.test(arg)) return badArgument(arg);
      if (name === "sign") return { ok: true, command: { name, agreement: arg } };
      if (name === "handover") return { ok: true, command: { name, caseRef: arg } };
      return { ok: true, command: { name, course: arg } };
    }
    case "cases": {
      if (arg === undefined) return { ok: true, command: { name, filter: "open" } };
      const filter = filterAliases[arg.toLowerCase()];
      return filter ? { ok: true, command: { name, filter } } : badArgument(arg);
    }
    case "bind": {
      if (arg === undefined) return usageError("missing_bind_target", "bot.command.missing_bind_target");
      const target = bindAliases[arg.toLowerCase()];
      return target ? { ok: true, command: { name, target } } : badArgument(arg);
    }
    case "help": {
      if (arg === undefined) return { ok: true, command: { name } };
      const topic = subcommandOf(arg);
      if (!topic) return usageError("unknown_subcommand", "bot.command.unknown_subcommand", { word: arg });
      return { ok: true, command: { name, topic } };
    }
  }
}

/** Parses a whole typed line, `/baton …`; any other slash command is a usage error. */
export function parseSlashCommand(line: string): CommandResult {
  const folded = line.normalize("NFKC").trim();
  const match = /^(\/\S*)(?:\s+([\s\S]*))?$/u.exec(folded);
  const command = match?.[1]?.toLowerCase();
  if (!match || command !== commandName) {
    return usageError("not_baton", "bot.command.not_baton", { command: match?.[1] ?? folded.slice(0, 32) });
  }
  return parseBatonArguments(match[2] ?? "");
}

/** Whether a chat message is a typed slash command rather than free text. */
export function isSlashCommand(text: string): boolean {
  return text.normalize("NFKC").trimStart().startsWith("/");
}

/** The command a free-text intent stands for; `unknown` stands for none. */
export function commandFromIntent(intent: Intent): BotCommand | undefined {
  switch (intent.kind) {
    case "unknown":
      return undefined;
    case "bind":
      return { name: "bind", target: intent.target };
    case "cases":
      return { name: "cases", filter: "open" };
    default:
      return { name: intent.kind };
  }
}
