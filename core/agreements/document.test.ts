import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseFrontMatter } from "../../adapters/shared/front-matter.ts";
import { agreementHashes, normaliseAgreementText, parseAgreement } from "./document.ts";

const zh = `---
title: 保密协议
signWithinDays: 5
terms:
  appliesTo:
    roles: [engineering]
---
# 保密协议

正文。
`;
const en = `---
title: Confidentiality Agreement
---
# Confidentiality Agreement

Text.
`;
const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("agreement documents", () => {
  it("read titles, terms and the signing period from the front matter of both languages", () => {
    const parsed = parseAgreement({ "zh-CN": zh, en }, parseFrontMatter);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.agreement.title).toEqual({ "zh-CN": "保密协议", en: "Confidentiality Agreement" });
    expect(parsed.agreement.terms).toEqual({ appliesTo: { roles: ["engineering"] } });
    expect(parsed.agreement.signWithinDays).toBe(5);
    expect(parsed.agreement.bodies.en.body).toContain("Text.");
    expect(parsed.agreement.bodies.en.bodyFirstLine).toBe(4);
  });

  it("accept terms at the top level too, and the same terms in both languages", () => {
    const both = en.replace(
      "title: Confidentiality Agreement",
      "title: NDA\nappliesTo:\n  roles: [engineering]",
    );
    expect(parseAgreement({ "zh-CN": zh, en: both }, parseFrontMatter).ok).toBe(true);
  });

  it("name each problem: language, line or field", () => {
    const problems = (texts: { "zh-CN": string; en: string }) => {
      const parsed = parseAgreement(texts, parseFrontMatter);
      return parsed.ok ? [] : parsed.problems;
    };
    expect(problems({ "zh-CN": "# 没有前言", en })).toEqual([
      { locale: "zh-CN", line: 1, message: "must begin with YAML front matter between --- lines" },
    ]);
    expect(problems({ "zh-CN": zh, en: "---\ntitle: [unclosed\n---\nx" })[0]).toMatchObject({
      locale: "en",
      line: 2,
    });
    expect(
      problems({ "zh-CN": zh, en: en.replace("title: Confidentiality Agreement", "tittle: x") }),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ locale: "en", path: "title" }),
        expect.objectContaining({
          locale: "en",
          path: "tittle",
          message: expect.stringContaining("unknown key"),
        }),
      ]),
    );
    const other = en.replace("title: Confidentiality Agreement", "title: NDA\nappliesTo:\n  roles: [sales]");
    expect(problems({ "zh-CN": zh, en: other })).toEqual([
      { locale: "en", path: "terms.appliesTo", message: "differs from the zh-CN text" },
    ]);
    const bad = zh.replace("roles: [engineering]", "roles: engineering");
    expect(problems({ "zh-CN": bad, en })[0]).toMatchObject({
      locale: "zh-CN",
      path: "terms.appliesTo.roles",
    });
    expect(problems({ "zh-CN": zh, en: "---\ntitle: x\n---\n  \n" })).toEqual([
      { locale: "en", message: "the agreement text is empty" },
    ]);
  });

  it("hash each language's stored text, and the version as the two hex hashes one after the other", async () => {
    const texts = { "zh-CN": zh, en };
    const hashes = await agreementHashes(texts);
    expect(hashes.textHashes).toEqual({ "zh-CN": sha(zh), en: sha(en) });
    expect(hashes.hash).toBe(sha(sha(zh) + sha(en)));
  });

  it("store text with \\n line ends and no byte-order mark", () => {
    expect(normaliseAgreementText("\uFEFFa\r\nb\rc\n")).toBe("a\nb\nc\n");
  });
});
