import { describe, expect, it } from "vitest";
import { parseCommandLine, UsageError } from "./args.ts";

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(" ")}`);
}

describe("parseCommandLine", () => {
  it("reads each command", () => {
    expect(parseCommandLine(["status"])).toEqual({ name: "status", json: false });
    expect(parseCommandLine(["migrate", "--json"])).toEqual({ name: "migrate", json: true });
    expect(parseCommandLine(["api-key", "list"])).toEqual({ name: "api-key list", json: false });
    expect(parseCommandLine(["api-key", "revoke", "abc123"])).toEqual({
      name: "api-key revoke",
      json: false,
      id: "abc123",
    });
    expect(parseCommandLine(["restore", "b.tar.gz", "-y"])).toEqual({
      name: "restore",
      json: false,
      file: "b.tar.gz",
      yes: true,
    });
    expect(
      parseCommandLine([
        "api-key",
        "create",
        "--name",
        " OA ",
        "--principal",
        "system:oa",
        "--scopes",
        "cases:read, admin,",
      ]),
    ).toEqual({
      name: "api-key create",
      json: false,
      input: { name: "OA", principal: "system:oa", scopes: ["cases:read", "admin"] },
    });
  });

  it("answers help in every form", () => {
    expect(parseCommandLine(["help"])).toEqual({ name: "help", topic: "general" });
    expect(parseCommandLine(["--help"])).toEqual({ name: "help", topic: "general" });
    expect(parseCommandLine(["help", "api-key", "create"])).toEqual({
      name: "help",
      topic: "api-key create",
    });
    expect(parseCommandLine(["api-key", "-h"])).toEqual({ name: "help", topic: "api-key" });
    expect(parseCommandLine(["backup", "--help"])).toEqual({ name: "help", topic: "backup" });
  });

  it("refuses wrong calls with a usage error", () => {
    expect(usageError([]).message).toMatch(/missing command/);
    expect(usageError(["frob"]).message).toMatch(/unknown command "frob"/);
    expect(usageError(["status", "--bogus"]).message).toBe("unknown option --bogus");
    expect(usageError(["status", "--yes"])).toMatchObject({
      command: "status",
      message: expect.stringMatching(/--yes/),
    });
    expect(usageError(["status", "extra"]).message).toMatch(/unexpected argument "extra"/);
    expect(usageError(["restore"]).message).toMatch(/needs the backup FILE/);
    expect(usageError(["api-key"]).message).toMatch(/create, list, revoke/);
    expect(usageError(["api-key", "revoke"]).message).toMatch(/needs the id/);
    expect(usageError(["api-key", "create", "--name"]).message).toBe("--name needs a value");
    expect(
      usageError(["api-key", "create", "--name", "x", "--principal", "bob", "--scopes", "admin"]).message,
    ).toMatch(/--principal must look like/);
    expect(
      usageError(["api-key", "create", "--name", "x", "--principal", "test:x", "--scopes", "root"]).message,
    ).toMatch(/unknown scope "root"/);
    expect(usageError(["help", "frob"]).message).toMatch(/no help for "frob"/);
  });
});

describe("parseCommandLine: the commands of the offboarding, agreements and training work", () => {
  const fp = "a".repeat(64);
  it("reads each of them", () => {
    expect(parseCommandLine(["cases", "--status", "open"])).toEqual({
      name: "cases",
      json: false,
      status: "open",
    });
    expect(parseCommandLine(["case", "c1", "--json"])).toEqual({ name: "case", json: true, id: "c1" });
    expect(parseCommandLine(["certificate", "issue", "c1", "--years-confirmed"])).toEqual({
      name: "certificate issue",
      json: false,
      caseId: "c1",
      yearsConfirmed: true,
    });
    expect(
      parseCommandLine(["verify", "b.json", "--key", fp, "--key", fp.toUpperCase().replace(/A/g, "b")]),
    ).toEqual({
      name: "verify bundle",
      json: false,
      file: "b.json",
      keys: [fp, "b".repeat(64)],
    });
    expect(parseCommandLine(["verify", "--audit"])).toEqual({ name: "verify", json: false, audit: true });
    expect(parseCommandLine(["export", "evidence", "s1", "--out", "x.json"])).toEqual({
      name: "export evidence",
      json: false,
      id: "s1",
      out: "x.json",
    });
    expect(parseCommandLine(["lint", "a.md", "--lang", "zh-CN"])).toEqual({
      name: "lint",
      json: false,
      file: "a.md",
      lang: "zh-CN",
    });
    expect(parseCommandLine(["import", "course", "courses/x"])).toEqual({
      name: "import course",
      json: false,
      folder: "courses/x",
    });
    expect(
      parseCommandLine(["channels", "bind", "slack", "C1", "--purpose", "hr", "--entity", "e1"]),
    ).toEqual({
      name: "channels bind",
      json: false,
      platform: "slack",
      channelId: "C1",
      purpose: "hr",
      entity: "e1",
    });
    expect(parseCommandLine(["outbox", "dead", "--limit", "5"])).toEqual({
      name: "outbox dead",
      json: false,
      limit: 5,
    });
    expect(parseCommandLine(["tick"])).toEqual({ name: "tick", json: false });
  });

  it.each([
    [["certificate", "issue", "c1"], /--years-confirmed/],
    [["certificate", "revoke", "x"], /--reason/],
    [["certificate", "pdf", "x"], /--out/],
    [["verify", "b.json"], /--key/],
    [["verify", "b.json", "--key", "abc"], /64 hex/],
    [["verify", "--audit", "--key", "a".repeat(64)], /no --key/],
    [["cases", "--status", "weird"], /--status/],
    [["lint", "a.md", "--lang", "fr"], /--lang/],
    [["channels", "bind", "slack", "C1"], /--purpose/],
    [["outbox", "dead", "--limit", "0"], /--limit/],
    [["outbox", "frob"], /unknown subcommand/],
  ])("refuses %j", (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });
});
