import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactText, type Intent, localeOfText, parseIntent, stripLeadingMentions } from "./intents.ts";

const cases: [string, Intent][] = [
  ["我要离职", { kind: "resign" }],
  ["辞职", { kind: "resign" }],
  ["我想辞职了", { kind: "resign" }],
  ["申请离职", { kind: "resign" }],
  ["I want to resign", { kind: "resign" }],
  ["resign", { kind: "resign" }],
  ["I'd like to resign, please.", { kind: "resign" }],
  ["Please help... I want to give notice", { kind: "unknown" }],
  ["I want to give notice", { kind: "resign" }],
  ["进度", { kind: "status" }],
  ["我的离职进度", { kind: "status" }],
  ["我的离职进度怎么样了？", { kind: "status" }],
  ["status", { kind: "status" }],
  ["What's my status?", { kind: "status" }],
  ["签署", { kind: "sign" }],
  ["请帮我签署一下保密协议", { kind: "sign" }],
  ["sign", { kind: "sign" }],
  ["Sign the agreement", { kind: "sign" }],
  ["培训", { kind: "training" }],
  ["开始保密培训", { kind: "training" }],
  ["training", { kind: "training" }],
  ["考试", { kind: "quiz" }],
  ["我要考试", { kind: "quiz" }],
  ["quiz", { kind: "quiz" }],
  ["take the quiz please", { kind: "quiz" }],
  ["交接", { kind: "handover" }],
  ["确认交接", { kind: "handover" }],
  ["handover", { kind: "handover" }],
  ["hand over", { kind: "handover" }],
  ["cases", { kind: "cases" }],
  ["查看所有离职案件", { kind: "cases" }],
  ["bind hr", { kind: "bind", target: "hr" }],
  ["绑定 HR", { kind: "bind", target: "hr" }],
  ["绑定HR", { kind: "bind", target: "hr" }],
  ["绑定 人事", { kind: "bind", target: "hr" }],
  ["bind finance", { kind: "bind", target: "finance" }],
  ["绑定 财务", { kind: "bind", target: "finance" }],
  ["帮助", { kind: "help" }],
  ["help", { kind: "help" }],
  ["HELP!", { kind: "help" }],
  ["", { kind: "help" }],
  ["@Baton", { kind: "help" }],
  ["@Baton 我要离职", { kind: "resign" }],
  ["@Baton我要离职", { kind: "resign" }],
  ["<@U012ABC> status", { kind: "status" }],
  ['<at id="28:abc">Baton</at> sign', { kind: "sign" }],
  ["@_user_1 绑定 财务", { kind: "bind", target: "finance" }],
  ["@离职助手 进度", { kind: "status" }],
  ["ＲＥＳＩＧＮ", { kind: "resign" }],
  ["／ｂｉｎｄ　ＨＲ", { kind: "bind", target: "hr" }],
  ["请帮我离职！！", { kind: "resign" }],
  ["Please, resign.", { kind: "resign" }],
  // Negations and other talk are not commands.
  ["我不想离职", { kind: "unknown" }],
  ["I don't want to resign", { kind: "unknown" }],
  ["what is the weather", { kind: "unknown" }],
  ["今天吃什么", { kind: "unknown" }],
  ["leave", { kind: "unknown" }],
  ["绑定", { kind: "unknown" }],
  ["bind", { kind: "unknown" }],
];

describe("parseIntent", () => {
  it.each(cases)("%s", (text, intent) => {
    expect(parseIntent(text)).toEqual(intent);
  });

  it("treats overlong text as unknown", () => {
    expect(parseIntent(`${" ".repeat(600)}resign`)).toEqual({ kind: "unknown" });
  });

  it("strips only leading mentions", () => {
    expect(stripLeadingMentions("@a @b hello @c")).toBe("hello @c");
    expect(compactText("Ｈｅｌｌｏ，　Ｗｏｒｌｄ！")).toBe("helloworld");
  });

  it("tells the language of a message", () => {
    expect(localeOfText("我要离职")).toBe("zh-CN");
    expect(localeOfText("resign")).toBe("en");
    expect(localeOfText("？？")).toBeUndefined();
  });
});

/** Full-width form of printable ASCII (space → U+3000). */
function fullWidth(text: string): string {
  return [...text]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      if (code === 0x20) return "\u3000";
      return code > 0x20 && code < 0x7f ? String.fromCodePoint(code + 0xfee0) : ch;
    })
    .join("");
}

const samples = cases.map(([text]) => text).filter((text) => !text.startsWith("<"));
const whitespace = fc.constantFrom(" ", "  ", "\t", "\u3000", "\n", "\u00a0");

describe("intent parsing properties", () => {
  it("is stable under added whitespace anywhere after the mention", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), whitespace), { maxLength: 6 }),
        (text, inserts) => {
          const mention = /^@\S+(?:\s|$)/.exec(text)?.[0] ?? "";
          let body = text.slice(mention.length);
          for (const [at, space] of inserts) {
            const i = at % (body.length + 1);
            body = body.slice(0, i) + space + body.slice(i);
          }
          expect(parseIntent(mention + body)).toEqual(parseIntent(text));
        },
      ),
    );
  });

  it("is stable under full-width forms, letter case and trailing punctuation", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom("", "!", "。", "？", "～", "!!", " 🙏"),
        (text, wide, upper, tail) => {
          let variant = upper ? text.toUpperCase() : text;
          if (wide) variant = fullWidth(variant);
          expect(parseIntent(variant + tail)).toEqual(parseIntent(text));
        },
      ),
    );
  });

  it("is stable under surrounding politeness", () => {
    const known = cases.filter(([text, intent]) => intent.kind !== "unknown" && text.length > 0);
    fc.assert(
      fc.property(
        fc.constantFrom(...known),
        fc.constantFrom("", "请", "请帮我", "麻烦", "please ", "Please, ", "hi "),
        fc.constantFrom("", "，谢谢", " thanks", " please", "吧"),
        ([text, intent], before, after) => {
          if (text.startsWith("@") || text.startsWith("<")) return;
          expect(parseIntent(before + text + after)).toEqual(intent);
        },
      ),
    );
  });

  it("never throws and always answers a known kind", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), (text) => {
        const intent = parseIntent(text);
        expect(typeof intent.kind).toBe("string");
      }),
    );
  });
});

describe("mentions glued to the text", () => {
  it("finds the phrase after an ASCII mention glued to Chinese text", () => {
    expect(parseIntent("@Baton我要离职 🙏")).toEqual({ kind: "resign" });
    expect(parseIntent("@Baton签署 谢谢")).toEqual({ kind: "sign" });
  });
});
