import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { SplitDocument } from "../../core/agreements/document.ts";
import { publishDraft, saveDraft } from "../agreements/versions.ts";
import type { SeedSet } from "./seed.ts";

const read = (file: string) => readFileSync(new URL(`./agreements/${file}`, import.meta.url), "utf8");

/** Front matter of the shipped texts (the API uses adapters/shared/front-matter.ts for what people send). */
function splitShipped(text: string): SplitDocument {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!match) return { frontMatter: undefined, body: text, bodyFirstLine: 1 };
  const yaml = match[1] ?? "";
  return {
    frontMatter: parse(yaml, { uniqueKeys: true }),
    body: text.slice(match[0].length),
    bodyFirstLine: yaml.split("\n").length + 3,
  };
}

/**
 * The demo confidentiality agreement, written by us (db/seeds/agreements/*.md): trade secrets and
 * documents, for engineering, sales and admin; no penalty for breaching confidentiality (Labour
 * Contract Law Art. 25) and no non-compete (Arts. 23–24 need a separate, paid agreement).
 * Published through the same draft → lint → publish path as the API.
 */
export const demoAgreement: SeedSet = {
  name: "demo-agreement",
  version: "1",
  describe: "the demo confidentiality agreement (zh-CN and en), published as confidentiality v1",
  async run(tx, { now }) {
    const input = {
      agreementId: "confidentiality",
      version: 1,
      texts: { "zh-CN": read("confidentiality.zh-CN.md"), en: read("confidentiality.en.md") },
    };
    await saveDraft(tx, input, splitShipped, "system:seed", now);
    await publishDraft(tx, input, splitShipped, "system:seed", now);
  },
};
