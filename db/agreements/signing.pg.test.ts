import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp } from "../../test/helpers/app.ts";
import { createPostgresDatabase } from "../../test/helpers/db.ts";
import { type Database, type Db, openDatabase } from "../client.ts";
import { migrate } from "../migrate.ts";
import { currentVersion } from "../repositories/agreements.ts";
import { signatureRequests, signatures } from "../schema/index.ts";
import { demoAgreement } from "../seeds/demo-agreement.ts";
import { demoOrganisation } from "../seeds/demo-organisation.ts";
import { applySeeds } from "../seeds/seed.ts";
import { employeeByExternalId, ensureSignatureRequest } from "./requests.ts";
import { signAgreement } from "./signing.ts";

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ kind: "postgres", url: await createPostgresDatabase(), max: 10 });
  await migrate(database);
});
afterAll(() => database.close());

describe("signing under concurrency", () => {
  it("racing requests and signatures: one request per employee and version, one signature, the rest 409", async () => {
    const t = await createTestApp(database);
    await t.services.signer.register();
    const now = new Date("2026-03-02T02:00:00Z");
    await applySeeds(database, [demoOrganisation, demoAgreement], {
      master: t.services.keys.encryption,
      now,
    });
    const employee = await employeeByExternalId(database.db, "E1101");
    const version = await currentVersion(database.db, "confidentiality");
    if (!employee || !version) throw new Error("seed missing");

    const ensured = await Promise.all(
      Array.from({ length: 8 }, () =>
        database.db.transaction((tx) =>
          ensureSignatureRequest(tx as unknown as Db, {
            employee,
            version,
            reason: "role",
            actor: "system:test",
            now,
          }),
        ),
      ),
    );
    expect(ensured.filter((e) => e.created)).toHaveLength(1);
    expect(new Set(ensured.map((e) => e.request.id)).size).toBe(1);
    expect(await database.db.select().from(signatureRequests)).toHaveLength(1);

    const requestId = ensured[0]?.request.id ?? "";
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        signAgreement(
          database,
          { signer: t.services.signer, now },
          { requestId, signer: { principal: "employee:E1101", surface: "web" }, typedName: "王强" },
        ).then(
          () => "signed",
          (error: { code?: string }) => error.code ?? "error",
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "signed")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "conflict")).toHaveLength(7);
    expect(await database.db.select().from(signatures)).toHaveLength(1);
  });
});
