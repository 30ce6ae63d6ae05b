import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, surfaceStatus } from "./config.ts";

const base = {
  BATON_DATA_DIR: "/tmp/b/data",
  BATON_KEYS_DIR: "/tmp/b/keys",
  BATON_BACKUP_DIR: "/tmp/b/backups",
};

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("has working defaults: embedded database, loopback, demo on", () => {
    const config = loadConfig(base);
    expect(config.PORT).toBe(8787);
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.database).toEqual({ kind: "pglite", dataDir: "/tmp/b/data" });
    expect(config.publicUrl).toBe("http://127.0.0.1:8787");
    expect(config.BATON_TIMEZONE).toBe("Asia/Shanghai");
    expect(config.demo).toBe(true);
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ BATON_TIMEZONE: "Mars/Olympus" }, "BATON_TIMEZONE"],
    [{ BATON_DEMO: "maybe" }, "BATON_DEMO"],
    [{ BATON_TRUSTED_PROXIES: "10.0.0.0/8, not-an-ip" }, "BATON_TRUSTED_PROXIES"],
    [{ BATON_TRUSTED_PROXIES: "10.0.0.0/33" }, "BATON_TRUSTED_PROXIES"],
    [{ BATON_PUBLIC_URL: "ftp://x" }, "BATON_PUBLIC_URL"],
    [{ DATABASE_URL: "mysql://x/y" }, "DATABASE_URL"],
    [{ BATON_ADMIN_TOKEN: "short" }, "BATON_ADMIN_TOKEN"],
    [{ BATON_ENCRYPTION_KEY: "c2hvcnQ=" }, "BATON_ENCRYPTION_KEY"],
    [{ BATON_SIGNING_KEY: "not a pem" }, "BATON_SIGNING_KEY"],
    [{ BATON_LOG_LEVEL: "loud" }, "BATON_LOG_LEVEL"],
    [{ SMTP_URL: "http://mail" }, "SMTP_URL"],
  ])("refuses %o naming %s", (env, variable) => {
    const problems = problemsOf(env);
    expect(problems.map((p) => p.variable)).toContain(variable);
  });

  it("never echoes a secret's value in the error", () => {
    const secret = "mysql://admin:hunter2-very-secret@db/x";
    try {
      loadConfig({ ...base, DATABASE_URL: secret, BATON_ADMIN_TOKEN: "tiny-secret" });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
      expect(String(error)).not.toContain("tiny-secret");
      expect(String(error)).toContain("DATABASE_URL");
    }
  });

  it("requires both keys with DATABASE_URL, naming each", () => {
    const variables = problemsOf({ DATABASE_URL: "postgres://u@h/db" }).map((p) => p.variable);
    expect(variables).toEqual(expect.arrayContaining(["BATON_SIGNING_KEY", "BATON_ENCRYPTION_KEY"]));
  });

  it("keeps keys out of the data and backup folders", () => {
    expect(problemsOf({ BATON_KEYS_DIR: "/tmp/b/data/keys" }).map((p) => p.variable)).toContain(
      "BATON_KEYS_DIR",
    );
    expect(problemsOf({ BATON_KEYS_DIR: "/tmp/b/backups" }).map((p) => p.variable)).toContain(
      "BATON_KEYS_DIR",
    );
    expect(problemsOf({ BATON_BACKUP_DIR: "/tmp/b/data/bk" }).map((p) => p.variable)).toContain(
      "BATON_BACKUP_DIR",
    );
  });

  it("allows TEAMS_ALLOW_UNAUTHENTICATED only on loopback with the embedded database", () => {
    expect(problemsOf({ TEAMS_ALLOW_UNAUTHENTICATED: "1" })).toEqual([]);
    expect(
      problemsOf({ TEAMS_ALLOW_UNAUTHENTICATED: "1", HOST: "0.0.0.0" }).map((p) => p.variable),
    ).toContain("TEAMS_ALLOW_UNAUTHENTICATED");
  });

  it("turns demo off for a public address, a real database or BATON_DEMO=0", () => {
    expect(loadConfig({ ...base, HOST: "0.0.0.0" }).demo).toBe(false);
    expect(loadConfig({ ...base, BATON_DEMO: "0" }).demo).toBe(false);
    expect(loadConfig({ ...base, HOST: "::1" }).demo).toBe(true);
  });

  it("says which variables turn each surface on", () => {
    const off = surfaceStatus(loadConfig(base));
    expect(off.find((s) => s.surface === "slack")).toEqual({
      surface: "slack",
      enabled: false,
      missing: ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_TEAM_IDS"],
    });
    const slack = { ...base, SLACK_SIGNING_SECRET: "s", SLACK_BOT_TOKEN: "xoxb-1" };
    // Without the allow-list any workspace could call in: Slack stays off.
    expect(surfaceStatus(loadConfig(slack)).find((s) => s.surface === "slack")).toMatchObject({
      enabled: false,
      missing: ["SLACK_TEAM_IDS"],
    });
    const on = surfaceStatus(loadConfig({ ...slack, SLACK_TEAM_IDS: "T0ACME" }));
    expect(on.find((s) => s.surface === "slack")?.enabled).toBe(true);
    const lark = {
      ...base,
      LARK_APP_ID: "cli_1",
      LARK_APP_SECRET: "secret",
      LARK_ENCRYPT_KEY: "key",
      LARK_VERIFICATION_TOKEN: "token",
    };
    // Without the tenant allow-list any tenant could call in: Lark stays off.
    expect(surfaceStatus(loadConfig(lark)).find((s) => s.surface === "lark")).toMatchObject({
      enabled: false,
      missing: ["LARK_TENANT_KEYS"],
    });
    const larkOn = loadConfig({ ...lark, LARK_TENANT_KEYS: "2ed263bf32cf1651, 736588c9260f175d" });
    expect(larkOn.LARK_TENANT_KEYS).toEqual(["2ed263bf32cf1651", "736588c9260f175d"]);
    expect(surfaceStatus(larkOn).find((s) => s.surface === "lark")?.enabled).toBe(true);
    const dingtalk = {
      ...base,
      DINGTALK_APP_KEY: "key",
      DINGTALK_APP_SECRET: "secret",
      DINGTALK_ROBOT_CODE: "robot",
    };
    // Without the corp allow-list any corp could call in: DingTalk stays off.
    expect(surfaceStatus(loadConfig(dingtalk)).find((s) => s.surface === "dingtalk")).toMatchObject({
      enabled: false,
      missing: ["DINGTALK_CORP_IDS"],
    });
    const dingtalkOn = surfaceStatus(loadConfig({ ...dingtalk, DINGTALK_CORP_IDS: "ding1, ding2" }));
    expect(dingtalkOn.find((s) => s.surface === "dingtalk")?.enabled).toBe(true);
    expect(loadConfig({ ...dingtalk, DINGTALK_CORP_IDS: "ding1, ding2" }).DINGTALK_CORP_IDS).toEqual([
      "ding1",
      "ding2",
    ]);
    const teams = surfaceStatus(loadConfig({ ...base, TEAMS_APP_ID: "app" }));
    expect(teams.find((s) => s.surface === "teams")).toMatchObject({
      enabled: false,
      missing: ["TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID"],
    });
  });
});
