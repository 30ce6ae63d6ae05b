import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EvidenceBundle, verifyEvidenceBundle } from "../../../core/agreements/bundle.ts";
import { signAgreement } from "../../../db/agreements/signing.ts";
import type { Database } from "../../../db/client.ts";
import { chainHead } from "../../../db/evidence-chain.ts";
import { chainTimestamps, signatureRequests } from "../../../db/schema/index.ts";
import { demoAgreement } from "../../../db/seeds/demo-agreement.ts";
import { demoOrganisation } from "../../../db/seeds/demo-organisation.ts";
import { applySeeds } from "../../../db/seeds/seed.ts";
import { createTestApp, manualClock, type TestApp } from "../../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../../test/helpers/db.ts";
import { chainTimestampJob } from "./jobs.ts";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), "baton-tsa-"));
const file = (name: string) => path.join(dir, name);
let server: Server;
let tsaUrl: string;
let served = 0;
let database: Database;
let t: TestApp;
const adminToken = `adm-${"t".repeat(40)}`;

/** A time-stamp authority of our own: a CA, a TSA certificate with the timeStamping key usage, `openssl ts -reply`. */
async function makeTsa(): Promise<void> {
  writeFileSync(file("serial"), "01\n");
  writeFileSync(
    file("tsa-ext.cnf"),
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n",
  );
  writeFileSync(
    file("ts.cnf"),
    `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = ${dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`,
  );
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
    "-days",
    "30",
    "-subj",
    "/CN=Baton Test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  await run("openssl", [
    "req",
    ...ec,
    "-keyout",
    file("tsa.key"),
    "-out",
    file("tsa.csr"),
    "-subj",
    "/CN=Baton Test TSA",
  ]);
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    file("tsa.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("tsa.pem"),
    "-days",
    "30",
    "-extfile",
    file("tsa-ext.cnf"),
  ]);
}

beforeAll(async () => {
  await makeTsa();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      served += 1;
      const name = `q${served}`;
      writeFileSync(file(`${name}.tsq`), Buffer.concat(chunks));
      try {
        await run("openssl", [
          "ts",
          "-reply",
          "-config",
          file("ts.cnf"),
          "-queryfile",
          file(`${name}.tsq`),
          "-out",
          file(`${name}.tsr`),
        ]);
        res.writeHead(200, { "content-type": "application/timestamp-reply" });
        res.end(readFileSync(file(`${name}.tsr`)));
      } catch {
        res.writeHead(500);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  tsaUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  database = await testDatabase();
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const clock = manualClock(new Date("2026-03-02T02:00:00Z"));

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, { clock, env: { BATON_TSA_URL: tsaUrl, BATON_ADMIN_TOKEN: adminToken } });
  await t.services.signer.register();
  await applySeeds(database, [demoOrganisation, demoAgreement], {
    master: t.services.keys.encryption,
    now: clock.now(),
  });
});

async function signSomething(): Promise<string> {
  const res = await t.request("/api/v1/agreements/confidentiality/signature-requests", {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ employees: ["E1101"] }),
  });
  expect(res.status).toBe(200);
  const [request] = await database.db.select().from(signatureRequests);
  // The identity the platform verified.
  await database.query(
    sql`insert into employee_identities (employee_id, platform, platform_user_id)
      select id, 'lark', 'ou_wangqiang' from employees where external_id = 'E1101'`,
  );
  const signed = await signAgreement(
    database,
    { signer: t.services.signer, now: clock.now() },
    {
      requestId: request?.id ?? "",
      signer: { principal: "employee:E1101", surface: "lark", platformUserId: "ou_wangqiang" },
      typedName: "王强",
    },
  );
  await t.services.chainWriter.runOnce();
  return signed.signatureId;
}

describe("RFC 3161 timestamps of the chain head", () => {
  it("are requested from BATON_TSA_URL, stored, verified by openssl, and carried in bundles", async () => {
    const signatureId = await signSomething();
    const job = chainTimestampJob(t.services);
    await job.run(clock.now());
    const head = await chainHead(database);
    const [stamp] = await database.db.select().from(chainTimestamps);
    expect(stamp).toMatchObject({ seq: head?.seq, hash: head?.hash, tsaUrl });
    expect(stamp?.genTime).toBeInstanceOf(Date);

    // Checked by openssl alone: the token is over the head's hash and signed by the TSA.
    writeFileSync(file("stored.tsr"), Buffer.from(stamp?.token ?? "", "base64"));
    const { stdout } = await run("openssl", [
      "ts",
      "-verify",
      "-digest",
      head?.hash ?? "",
      "-in",
      file("stored.tsr"),
      "-CAfile",
      file("ca.pem"),
      "-untrusted",
      file("tsa.pem"),
    ]);
    expect(stdout).toContain("Verification: OK");
    const other = "ab".repeat(32);
    await expect(
      run("openssl", [
        "ts",
        "-verify",
        "-digest",
        other,
        "-in",
        file("stored.tsr"),
        "-CAfile",
        file("ca.pem"),
        "-untrusted",
        file("tsa.pem"),
      ]),
    ).rejects.toThrow();

    // The same head is not stamped twice; a moved head waits for the interval.
    const before = served;
    await job.run(clock.now());
    expect(served).toBe(before);

    const res = await t.request(`/api/v1/signatures/${signatureId}/bundle`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const bundle = (await res.json()) as EvidenceBundle;
    expect(bundle.timestamps).toEqual([
      expect.objectContaining({ seq: head?.seq, hash: head?.hash, token: stamp?.token }),
    ]);
    const fingerprint = t.services.keys.signing.fingerprint;
    expect((await verifyEvidenceBundle(bundle, fingerprint)).ok).toBe(true);
    const wrong = structuredClone(bundle);
    const token = Buffer.from(wrong.timestamps[0]?.token ?? "", "base64");
    const at = token.indexOf(Buffer.from(`0420${head?.hash}`, "hex"));
    token[at + 5] = (token[at + 5] ?? 0) ^ 0xff;
    if (wrong.timestamps[0]) wrong.timestamps[0].token = token.toString("base64");
    const result = await verifyEvidenceBundle(wrong, fingerprint);
    expect(result.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(["timestamps"]);
  });

  it("a TSA that fails leaves nothing stored and is tried again on the next tick", async () => {
    await signSomething();
    const broken = await createTestApp(database, {
      clock,
      env: { BATON_TSA_URL: "http://127.0.0.1:9/none" },
    });
    await chainTimestampJob(broken.services).run(clock.now());
    expect(await database.db.select().from(chainTimestamps)).toHaveLength(0);
    expect(broken.logs.join("")).toContain("timestamping the chain head failed");
    expect(broken.logs.join("")).not.toContain("127.0.0.1:9");
    await chainTimestampJob(t.services).run(clock.now());
    expect(await database.db.select().from(chainTimestamps)).toHaveLength(1);
  });

  it("do nothing without BATON_TSA_URL", async () => {
    await signSomething();
    const plain = await createTestApp(database, { clock });
    await chainTimestampJob(plain.services).run(clock.now());
    expect(await database.db.select().from(chainTimestamps)).toHaveLength(0);
  });
});
