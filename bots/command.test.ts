import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BotCommand,
  commandFromIntent,
  isSlashCommand,
  parseBatonArguments,
  parseDateArgument,
  parseSlashCommand,
  subcommandOf,
  subcommands,
} from "./command.ts";
import { parseIntent } from "./intents.ts";

const valid: [string, BotCommand][] = [
  ["/baton", { name: "help" }],
  ["/baton help", { name: "help" }],
  ["/baton 帮助 离职", { name: "help", topic: "resign" }],
  ["/baton resign", { name: "resign" }],
  ["/baton 离职 2026-12-31", { name: "resign", requestedLastDay: "2026-12-31" }],
  ["/baton resign 2026/1/5", { name: "resign", requestedLastDay: "2026-01-05" }],
  ["/baton 辞职 2026年3月8日", { name: "resign", requestedLastDay: "2026-03-08" }],
  ["/baton status", { name: "status" }],
  ["/BATON  STATUS ", { name: "status" }],
  ["/baton 进度", { name: "status" }],
  ["/baton sign", { name: "sign" }],
  ["/baton 签署 nda-2026.1", { name: "sign", agreement: "nda-2026.1" }],
  ["/baton training", { name: "training" }],
  ["/baton 培训 sales-customer-data", { name: "training", course: "sales-customer-data" }],
  ["/baton quiz eng-secrets", { name: "quiz", course: "eng-secrets" }],
  ["/baton 考试", { name: "quiz" }],
  ["/baton handover", { name: "handover" }],
  ["/baton 交接 case:42", { name: "handover", caseRef: "case:42" }],
  ["/baton cases", { name: "cases", filter: "open" }],
  ["/baton 案件 逾期", { name: "cases", filter: "overdue" }],
  ["/baton cases ALL", { name: "cases", filter: "all" }],
  ["/baton bind hr", { name: "bind", target: "hr" }],
  ["/baton bind Finance", { name: "bind", target: "finance" }],
  ["/baton 绑定 HR", { name: "bind", target: "hr" }],
  ["/baton 绑定财务", { name: "bind", target: "finance" }],
  ["／ｂａｔｏｎ　ｓｔａｔｕｓ", { name: "status" }],
];

const invalid: [string, string][] = [
  ["/status", "not_baton"],
  ["/batonx resign", "not_baton"],
  ["baton resign", "not_baton"],
  ["/baton dance", "unknown_subcommand"],
  ["/baton help dance", "unknown_subcommand"],
  ["/baton resign tomorrow", "bad_date"],
  ["/baton resign 2026-02-30", "bad_date"],
  ["/baton resign 2026-12-31 now", "too_many_arguments"],
  ["/baton status please", "too_many_arguments"],
  ["/baton bind", "missing_bind_target"],
  ["/baton bind sales", "bad_argument"],
  ["/baton bind hr finance", "too_many_arguments"],
  ["/baton cases closed", "bad_argument"],
  ["/baton sign <script>", "bad_argument"],
];

describe("/baton", () => {
  it.each(valid)("%s", (line, command) => {
    expect(parseSlashCommand(line)).toEqual({ ok: true, command });
  });

  it.each(invalid)("%s → %s", (line, code) => {
    const result = parseSlashCommand(line);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.text.en).toContain("Usage: /baton");
    expect(result.error.text["zh-CN"]).toContain("用法：/baton");
    expect(result.error.text.en).not.toMatch(/\{\w+\}/);
    expect(result.error.text["zh-CN"]).not.toMatch(/\{\w+\}/);
  });

  it("parses Slack's text after the command the same way", () => {
    expect(parseBatonArguments("resign 2026-12-31")).toEqual(parseSlashCommand("/baton resign 2026-12-31"));
    expect(parseBatonArguments("")).toEqual({ ok: true, command: { name: "help" } });
  });

  it("names the bad value in both languages", () => {
    const result = parseSlashCommand("/baton resign 31.12.2026");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.text.en).toContain("“31.12.2026” is not a date");
    expect(result.error.text["zh-CN"]).toContain("“31.12.2026” 不是日期");
  });

  it("parses dates as people write them", () => {
    expect(parseDateArgument("２０２６－１２－３１")).toBe("2026-12-31");
    expect(parseDateArgument("2026.2.28")).toBe("2026-02-28");
    expect(parseDateArgument("2026年2月29日")).toBeUndefined();
    expect(parseDateArgument("12/31/2026")).toBeUndefined();
  });

  it("knows slash commands and subcommand aliases", () => {
    expect(isSlashCommand("  /baton")).toBe(true);
    expect(isSlashCommand("我要离职")).toBe(false);
    expect(subcommandOf("交接")).toBe("handover");
    expect(subcommandOf("toString")).toBeUndefined();
  });

  it("maps intents to the same commands as the slash command", () => {
    expect(commandFromIntent(parseIntent("我要离职"))).toEqual({ name: "resign" });
    expect(commandFromIntent(parseIntent("绑定 财务"))).toEqual({ name: "bind", target: "finance" });
    expect(commandFromIntent(parseIntent("cases"))).toEqual({ name: "cases", filter: "open" });
    expect(commandFromIntent(parseIntent("今天天气"))).toBeUndefined();
  });
});

describe("/baton properties", () => {
  it("every subcommand round-trips, whatever the spacing and case", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...subcommands.filter((s) => s !== "bind")),
        fc.constantFrom(" ", "   ", "\t", "\u3000"),
        fc.boolean(),
        (sub, space, upper) => {
          const line = `/baton${space}${upper ? sub.toUpperCase() : sub}${space}`;
          const result = parseSlashCommand(line);
          expect(result.ok).toBe(true);
          if (result.ok) expect(result.command.name).toBe(sub);
        },
      ),
    );
  });

  it("a requested last day is answered as the same ISO date", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(parseSlashCommand(`/baton resign ${iso}`)).toEqual({
            ok: true,
            command: { name: "resign", requestedLastDay: iso },
          });
        },
      ),
    );
  });

  it("never throws: any line is a command or a usage error with both texts", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (tail) => {
        const result = parseSlashCommand(`/baton ${tail}`);
        if (!result.ok) {
          expect(result.error.text.en.length).toBeGreaterThan(0);
          expect(result.error.text["zh-CN"].length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
