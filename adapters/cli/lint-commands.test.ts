import path from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "./args.ts";
import { lintCommand } from "./lint-commands.ts";

const fixture = (name: string) => path.resolve(import.meta.dirname, "../../test/fixtures/lint", name);

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
}

describe("baton lint FILE", () => {
  it("passes a good document (exit 0) and summarises", async () => {
    const t = io();
    await lintCommand({ name: "lint", file: fixture("good-offboarding-policy.en.md"), json: false }, t.io);
    expect(t.out.join("")).toMatch(/0 errors, 0 warnings\n$/);
  });

  it("fails on a bad document (exit 1), one line per finding naming the article", async () => {
    const t = io();
    const file = fixture("bad-transfer-for-a-year.zh.md");
    await expect(lintCommand({ name: "lint", file, json: false }, t.io)).rejects.toThrow(CliError);
    const lines = t.out.join("").trim().split("\n");
    expect(lines[0]).toBe(
      `${file}: error delay.resignation [Labor Contract Law Arts. 37 and 26(1)]: Delaying the resignation by 12 months ("transfer for a year first") excludes the employee's statutory right: the clause is void and the last day stays the notice date + 30 days. (processingDelays.0)`,
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/:12: warning text\.delayed_processing \[Labor Contract Law/),
    );
    expect(lines.at(-1)).toBe(`${file}: 1 error, 3 warnings`);
  });

  it("speaks Chinese with --lang zh-CN and prints JSON with --json", async () => {
    const t = io();
    await expect(
      lintCommand({ name: "lint", file: fixture("bad-non-compete.zh.md"), json: true, lang: "zh-CN" }, t.io),
    ).rejects.toThrow(/2 errors/);
    const body = JSON.parse(t.out.join(""));
    expect(body.ok).toBe(false);
    expect(body.findings[0]).toMatchObject({
      code: "non_compete.too_long",
      article: "《劳动合同法》第二十四条",
    });
  });

  it("says clearly when the file is missing", async () => {
    await expect(
      lintCommand({ name: "lint", file: "/nonexistent/x.md", json: false }, io().io),
    ).rejects.toThrow("No file at /nonexistent/x.md.");
  });
});
