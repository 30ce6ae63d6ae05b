import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findViolations, importsOf, violation } from "./import-rules.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("import rules of DESIGN §2", () => {
  it("hold across the code base", () => {
    expect(findViolations(root)).toEqual([]);
  });

  it.each([
    ["core/offboarding/case.ts", "../../db/client.ts", false],
    ["core/audit/chain.ts", "node:crypto", false],
    ["core/audit/chain.ts", "drizzle-orm", false],
    ["cards/templates/help.ts", "../../core/messages/index.ts", false],
    ["cards/model.ts", "hono", false],
    ["bots/hr-bot.ts", "../adapters/slack/send.ts", false],
    ["db/repositories/cases.ts", "../../adapters/http/app.ts", false],
    ["adapters/slack/send.ts", "../../db/client.ts", false],
    ["adapters/slack/send.ts", "../lark/render.ts", false],
    ["adapters/slack/send.ts", "../http/app.ts", false],
    ["adapters/slack/parse.ts", "../../bots/intents.ts", false],
  ])("refuses %s importing %s", (file, specifier, typeOnly) => {
    expect(violation(file, specifier, typeOnly)).toBeTypeOf("string");
  });

  it.each([
    ["core/offboarding/case.ts", "../compliance/calendar.ts", false],
    ["core/compliance/calendar.ts", "chinese-days", false],
    ["cards/templates/help.ts", "../../core/messages/index.ts", true],
    ["bots/hr-bot.ts", "../cards/model.ts", false],
    ["db/repositories/cases.ts", "../../core/ports.ts", false],
    ["adapters/slack/send.ts", "../shared/errors.ts", false],
    ["adapters/slack/send.ts", "../../cards/model.ts", false],
    ["adapters/http/app.ts", "../../db/client.ts", false],
    ["adapters/cli/main.ts", "../../db/backup.ts", false],
    ["adapters/slack/parse.ts", "../../bots/events.ts", true],
  ])("allows %s importing %s", (file, specifier, typeOnly) => {
    expect(violation(file, specifier, typeOnly)).toBeUndefined();
  });

  it("reads static, type-only, re-export and dynamic imports", () => {
    const source = `import { a } from "./a.ts";\nimport type { B } from "../b.ts";\nexport * from "./c.ts";\nconst d = await import("./d.ts");\nimport "./e.ts";`;
    expect(importsOf(source)).toEqual([
      { specifier: "./a.ts", typeOnly: false },
      { specifier: "../b.ts", typeOnly: true },
      { specifier: "./c.ts", typeOnly: false },
      { specifier: "./d.ts", typeOnly: false },
      { specifier: "./e.ts", typeOnly: false },
    ]);
  });
});
