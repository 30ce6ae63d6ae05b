import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { employeeByExternalId, ensureSignatureRequest } from "../../db/agreements/requests.ts";
import { signAgreement } from "../../db/agreements/signing.ts";
import type { Db } from "../../db/client.ts";
import { currentVersion } from "../../db/repositories/agreements.ts";
import { demoAgreement } from "../../db/seeds/demo-agreement.ts";
import { demoOrganisation } from "../../db/seeds/demo-organisation.ts";
import { applySeeds } from "../../db/seeds/seed.ts";
import { installation } from "../../test/helpers/cli.ts";
import { loadConfig } from "../http/config.ts";
import { exportEvidenceCommand, verifyBundleCommand } from "./agreement-commands.ts";
import { CliError } from "./args.ts";
import { direct } from "./context.ts";

function captureIo() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
    },
  };
}

describe("baton export evidence / baton verify BUNDLE --key", () => {
  it("exports a signature's bundle to a file and verifies it offline against the pinned key only", async () => {
    const env = await installation();
    const config = loadConfig({ ...env, BATON_DEMO: "0" });
    const { signatureId, fingerprint } = await direct(
      config,
      undefined,
      { migrate: true },
      async (services) => {
        await services.signer.register();
        const now = new Date("2026-03-02T02:00:00Z");
        await applySeeds(services.database, [demoOrganisation, demoAgreement], {
          master: services.keys.encryption,
          now,
        });
        const db = services.database.db;
        const employee = await employeeByExternalId(db, "E1201");
        const version = await currentVersion(db, "confidentiality");
        if (!employee || !version) throw new Error("seed missing");
        const { request } = await db.transaction((tx) =>
          ensureSignatureRequest(tx as unknown as Db, {
            employee,
            version,
            reason: "employee",
            actor: "system:test",
            now,
          }),
        );
        const signed = await signAgreement(
          services.database,
          { signer: services.signer, now },
          {
            requestId: request.id,
            signer: { principal: "employee:E1201", surface: "web", ip: "192.0.2.1" },
            typedName: "刘洋",
          },
        );
        return { signatureId: signed.signatureId, fingerprint: services.keys.signing.fingerprint };
      },
    );

    const out = path.join(env.BATON_DATA_DIR ?? "", "..", "bundle.json");
    const exported = captureIo();
    await exportEvidenceCommand(
      { name: "export evidence", json: false, id: signatureId, out },
      config,
      { kind: "direct" },
      exported.io,
    );
    expect(exported.out.stdout.trim()).toBe(path.resolve(out));
    expect(exported.out.stderr).toContain(`--key ${fingerprint}`);

    const ok = captureIo();
    await verifyBundleCommand({ name: "verify bundle", json: false, file: out, keys: [fingerprint] }, ok.io);
    expect(ok.out.stdout).toContain("Valid: E1201 signed confidentiality version 1");

    const refuse = async (file: string, keys: string[]) => {
      const io = captureIo();
      const error = await verifyBundleCommand(
        { name: "verify bundle", json: false, file, keys },
        io.io,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      return (error as CliError).message;
    };
    expect(await refuse(out, ["ab".repeat(32)])).toContain("refused");
    expect(await refuse(out, [])).toContain("--key");
    expect(await refuse(path.join(path.dirname(out), "missing.json"), [fingerprint])).toContain("No file");

    const tampered = path.join(path.dirname(out), "tampered.json");
    writeFileSync(
      tampered,
      readFileSync(out, "utf8").replace("刘洋", "X").replace("trade secrets", "trade secret"),
    );
    expect(await refuse(tampered, [fingerprint])).toMatch(
      /^The bundle does NOT verify: text: the en agreement text/,
    );
    writeFileSync(tampered, "{not json");
    expect(await refuse(tampered, [fingerprint])).toContain("not JSON");
  });
});
