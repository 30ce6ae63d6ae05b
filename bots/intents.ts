/**
 * Intents from free chat text, zh and en (issue 6 point 3). Pure: no I/O. The parser is strict on
 * purpose — after mentions, punctuation, politeness and filler words are taken away, what is left
 * must be one of the known phrases, so "我不想离职" or "don't resign" is `unknown`, never `resign`.
 */

export const bindTargets = ["hr", "finance"] as const;
export type BindTarget = (typeof bindTargets)[number];

export const intentKinds = [
  "resign",
  "status",
  "sign",
  "training",
  "quiz",
  "handover",
  "cases",
  "bind",
  "help",
  "unknown",
] as const;
export type IntentKind = (typeof intentKinds)[number];

export type Intent =
  | { kind: Exclude<IntentKind, "bind"> }
  | {
      kind: "bind";
      target: BindTarget;
    };

/** Texts longer than this are not commands; they are `unknown` without further work. */
export const maxIntentTextLength = 500;

/**
 * A mention at the very start: Slack `<@U1|name>`, Teams/Lark `<at …>…</at>`, Lark `@_user_1`,
 * `@Baton` (also glued to Chinese text: "@Baton我要离职"), `@离职助手 ` (a name ends at a space).
 */
const leadingMention =
  /^(?:<@[^>\s]*>|<at\b[^>]*>[^<]*<\/at>|@_user_\d+|@[A-Za-z0-9_.-]+(?=\p{Script=Han})|@[^\s@]+(?=\s)|@[A-Za-z0-9_.-]+)\s*/iu;

/** Removes leading mentions (any number of them) from text that is already trimmed. */
export function stripLeadingMentions(text: string): string {
  let rest = text.trimStart();
  for (let i = 0; i < 20; i++) {
    const match = leadingMention.exec(rest);
    if (!match || match[0].length === 0) break;
    rest = rest.slice(match[0].length).trimStart();
  }
  return rest;
}

/**
 * The compact form matching works on: NFKC (full-width letters, digits, spaces and punctuation
 * become their ASCII forms), lower case, leading mentions gone, apostrophes dropped ("don't" →
 * "dont"), every punctuation mark, symbol and whitespace removed.
 */
export function compactText(text: string): string {
  const folded = text.normalize("NFKC").toLowerCase().trim();
  return stripLeadingMentions(folded)
    .replace(/['’‘`]/gu, "")
    .replace(/[\p{P}\p{S}\p{Z}\s\p{Cc}\p{Cf}]+/gu, "")
    .replaceAll("一下", "");
}

/** Politeness and filler that may stand before the phrase (longest first). */
const prefixFillers = [
  // zh
  "请帮我",
  "请帮忙",
  "麻烦你",
  "麻烦您",
  "麻烦",
  "帮我",
  "帮忙",
  "你好",
  "您好",
  "我想要",
  "我想",
  "我要",
  "我需要",
  "想要",
  "需要",
  "查看",
  "查询",
  "查一下",
  "看一下",
  "看看",
  "看下",
  "开始",
  "进行",
  "提交",
  "提出",
  "申请",
  "发起",
  "打开",
  "显示",
  "给我",
  "我的",
  "嗨",
  "请",
  "想",
  "要",
  "我",
  "查",
  "看",
  "去",
  "做",
  // en
  "please",
  "pls",
  "plz",
  "hello",
  "hey",
  "hi",
  "couldyou",
  "canyou",
  "wouldyou",
  "could",
  "would",
  "can",
  "will",
  "you",
  "id",
  "i",
  "want",
  "wanna",
  "would",
  "like",
  "need",
  "to",
  "lets",
  "let",
  "me",
  "my",
  "the",
  "an",
  "a",
  "show",
  "check",
  "view",
  "open",
  "get",
  "see",
  "take",
  "start",
  "begin",
  "do",
  "go",
  "whats",
  "what",
  "is",
  "baton",
];

/** Politeness and filler that may follow the phrase (longest first). */
const suffixFillers = [
  "怎么样了",
  "怎么样",
  "如何",
  "谢谢你",
  "谢谢",
  "谢啦",
  "多谢",
  "吧",
  "啊",
  "呀",
  "哦",
  "呢",
  "吗",
  "嘛",
  "了",
  "下",
  "thankyou",
  "thanks",
  "thx",
  "please",
  "pls",
  "plz",
  "now",
  "baton",
];

const byLength = (a: string, b: string) => b.length - a.length;
const prefixes = [...new Set(prefixFillers)].sort(byLength);
const suffixes = [...new Set(suffixFillers)].sort(byLength);

/** Whole-phrase patterns on the compact form, zh and en. */
const phrases: readonly { intent: Intent; pattern: RegExp }[] = [
  {
    intent: { kind: "status" },
    pattern: /^(?:(?:离职)?(?:进度|状态|进展|情况)|(?:resignation|offboarding|case)?(?:status|progress))$/u,
  },
  {
    intent: { kind: "resign" },
    pattern:
      /^(?:离职|辞职|提离职|我离职|递交辞呈|辞呈|离职申请|离职通知|resign|resignation|iresign|quit|iquit|(?:give|submit|handin)(?:my)?(?:resignation)?notice|noticeofresignation)$/u,
  },
  {
    intent: { kind: "sign" },
    pattern:
      /^(?:(?:签署|签字|签名|签|签约)(?:保密)?(?:协议|合同)?|sign(?:the)?(?:confidentiality)?(?:agreement|nda|contract)?|esign)$/u,
  },
  {
    intent: { kind: "training" },
    pattern:
      /^(?:(?:保密|合规)?(?:培训|课程|学习)|上课|(?:compliance|confidentiality)?(?:training|course|courses|lessons?|learning)|train)$/u,
  },
  {
    intent: { kind: "quiz" },
    pattern: /^(?:考试|测验|答题|测试|(?:the)?(?:quiz|quizzes|exam|test))$/u,
  },
  {
    intent: { kind: "handover" },
    pattern: /^(?:(?:确认|工作)?交接|(?:confirm)?(?:the)?(?:handover|handoff|handovers)|handitover)$/u,
  },
  {
    intent: { kind: "cases" },
    pattern:
      /^(?:(?:所有|全部|待办|进行中的?)?(?:离职)?案件|(?:all|open|list)?(?:cases?|offboardingcases))$/u,
  },
  {
    intent: { kind: "bind", target: "hr" },
    pattern:
      /^(?:绑定(?:为|成)?(?:hr|人事|人力资源?)(?:群|频道|群组)?|bind(?:as)?(?:the)?(?:hr|humanresources)(?:channel|group)?)$/u,
  },
  {
    intent: { kind: "bind", target: "finance" },
    pattern:
      /^(?:绑定(?:为|成)?财务(?:群|频道|群组)?|bind(?:as)?(?:the)?(?:finance|fin)(?:channel|group)?)$/u,
  },
  {
    intent: { kind: "help" },
    pattern:
      /^(?:帮助|使用说明|说明|怎么用|菜单|命令|你能做什么|help|menu|commands|usage|whatcanyoudo|howdoesthiswork)$/u,
  },
];

function matchPhrase(compact: string): Intent | undefined {
  for (const { intent, pattern } of phrases) if (pattern.test(compact)) return intent;
  return undefined;
}

/**
 * The intent of a chat message. Empty text (a bare mention, "?") asks for help; anything that is
 * not one of the phrases, once fillers are removed, is `unknown`.
 */
export function parseIntent(text: string): Intent {
  if (text.length > maxIntentTextLength) return { kind: "unknown" };
  let rest = compactText(text);
  if (rest.length === 0) return { kind: "help" };
  // At most one filler comes off per round; each round checks the phrase first, so a phrase that
  // starts like a filler ("帮助" and "帮") is found before it is cut.
  for (let round = 0; round < 40 && rest.length > 0; round++) {
    const found = matchPhrase(rest);
    if (found) return found;
    const prefix = prefixes.find((filler) => rest.startsWith(filler) && rest.length > filler.length);
    if (prefix) {
      rest = rest.slice(prefix.length);
      continue;
    }
    const suffix = suffixes.find((filler) => rest.endsWith(filler) && rest.length > filler.length);
    if (suffix) {
      rest = rest.slice(0, rest.length - suffix.length);
      continue;
    }
    break;
  }
  return { kind: "unknown" };
}

/** The language a message is written in, to answer in it: any Han character means zh-CN. */
export function localeOfText(text: string): "zh-CN" | "en" | undefined {
  if (/\p{Script=Han}/u.test(text)) return "zh-CN";
  if (/[A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A]/u.test(text)) return "en";
  return undefined;
}
