import { describe, expect, it } from "vitest";
import { newWebhookSecret } from "../../../test/fakes/connector-system.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { connectorEndpoints, connectorSecret } from "./systems.ts";

const dirs = {
  BATON_DATA_DIR: "/tmp/b/data",
  BATON_KEYS_DIR: "/tmp/b/keys",
  BATON_BACKUP_DIR: "/tmp/b/backups",
};

describe("connector configuration", () => {
  it("turns each connector on only when all its variables are set", () => {
    const secret = newWebhookSecret();
    const config = loadConfig({
      ...dirs,
      CONNECTOR_OA_SECRET: secret,
      CONNECTOR_CRM_SECRET: secret,
      CONNECTOR_FINANCE_URL: "https://erp.example/baton",
      CONNECTOR_FINANCE_SECRET: secret,
    });
    expect(connectorSecret(config, "oa")).toBe(secret);
    expect(connectorSecret(config, "crm")).toBeUndefined();
    expect(Object.keys(connectorEndpoints(config))).toEqual(["finance"]);
  });

  it("refuses a secret that is not a Standard Webhooks secret, without echoing it", () => {
    let error: unknown;
    try {
      loadConfig({ ...dirs, CONNECTOR_OA_SECRET: "hunter2-is-not-a-secret" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(["CONNECTOR_OA_SECRET"]);
    expect((error as ConfigError).message).not.toContain("hunter2");
  });
});
