import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc } from "drizzle-orm";
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SignatureError } from "../../core/ports.ts";
import type { Database } from "../../db/client.ts";
import { signingKeys } from "../../db/schema/index.ts";
import { createTestApp, manualClock } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { loadConfig } from "./config.ts";
import { loadKeys, signingFile } from "./keys.ts";
import { createSigner, rotateEmbeddedSigningKey } from "./signer.ts";

let database: Database;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(() => resetDatabase(database));

const pem = () =>
  generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SignatureError) return error.reason;
    throw error;
  }
  return "verified";
}

function flipByte(jws: string, part: 0 | 1 | 2): string {
  const parts = jws.split(".");
  const bytes = Buffer.from(parts[part] ?? "", "base64url");
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("the signer", () => {
  it("signs the canonical JSON as a compact EdDSA JWS with kid and typ, and verifies it", async () => {
    const t = await createTestApp(database);
    const { jws, kid } = await t.services.signer.sign(
      { sub: "signature:1", b: 2, a: [1, "中"] },
      "baton-test+jws",
    );
    expect(kid).toBe(t.services.keys.signing.kid);
    const [header, payload] = jws.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({
      alg: "EdDSA",
      kid,
      typ: "baton-test+jws",
    });
    expect(Buffer.from(payload!, "base64url").toString()).toBe('{"a":[1,"中"],"b":2,"sub":"signature:1"}');
    const verified = await t.services.signer.verify(jws, { typ: "baton-test+jws" });
    expect(verified).toEqual({
      payload: { sub: "signature:1", b: 2, a: [1, "中"] },
      kid,
      protectedHeader: { alg: "EdDSA", kid, typ: "baton-test+jws" },
    });
    expect(await failure(t.services.signer.verify(jws, { typ: "baton-certificate+jws" }))).toBe("wrong_type");
  });

  it("refuses a changed byte anywhere, an unknown key, and garbage", async () => {
    const t = await createTestApp(database);
    const { signer } = t.services;
    const { jws } = await signer.sign({ sub: "x", amount: 100 }, "baton-test+jws");
    expect(await failure(signer.verify(flipByte(jws, 1)))).toBe("bad_signature");
    expect(await failure(signer.verify(flipByte(jws, 2)))).toBe("bad_signature");
    expect(await failure(signer.verify(flipByte(jws, 0)))).not.toBe("verified");
    expect(await failure(signer.verify(`${jws}x`))).toBe("bad_signature");

    // Properly signed, by a key Baton never had.
    const stranger = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const strangerKid = await calculateJwkThumbprint(await exportJWK(stranger.publicKey), "sha256");
    const foreign = await new CompactSign(new TextEncoder().encode('{"sub":"x"}'))
      .setProtectedHeader({ alg: "EdDSA", kid: strangerKid, typ: "baton-test+jws" })
      .sign(stranger.privateKey);
    expect(await failure(signer.verify(foreign))).toBe("unknown_key");
    const noKid = await new CompactSign(new TextEncoder().encode('{"sub":"x"}'))
      .setProtectedHeader({ alg: "EdDSA" })
      .sign(stranger.privateKey);
    expect(await failure(signer.verify(noKid))).toBe("unknown_key");
    // Someone else's key under our kid.
    const impostor = await new CompactSign(new TextEncoder().encode('{"sub":"x"}'))
      .setProtectedHeader({ alg: "EdDSA", kid: signer.kid })
      .sign(stranger.privateKey);
    expect(await failure(signer.verify(impostor))).toBe("bad_signature");

    const none = `${Buffer.from('{"alg":"none","kid":"k"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}.`;
    expect(await failure(signer.verify(none))).toBe("malformed");
    for (const garbage of ["", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.e30"]) {
      expect(await failure(signer.verify(garbage))).toMatch(/malformed|bad_signature|unknown_key/);
    }
  });

  it("keeps old signatures verifiable after rotating to a new key, and lists both in the JWKS", async () => {
    const clock = manualClock();
    const keyA = pem();
    const keyB = pem();
    const a = await createTestApp(database, { env: { BATON_SIGNING_KEY: keyA }, clock });
    const signedByA = await a.services.signer.sign({ sub: "certificate:1" }, "baton-certificate+jws");

    clock.advance(60_000);
    const b = await createTestApp(database, { env: { BATON_SIGNING_KEY: keyB }, clock });
    await b.services.signer.register();
    const kidA = a.services.keys.signing.kid;
    const kidB = b.services.keys.signing.kid;
    expect(kidB).not.toBe(kidA);

    const verified = await b.services.signer.verify(signedByA.jws, { typ: "baton-certificate+jws" });
    expect(verified).toMatchObject({ kid: kidA, payload: { sub: "certificate:1" } });
    const signedByB = await b.services.signer.sign({ sub: "certificate:2" }, "baton-certificate+jws");
    expect(signedByB.kid).toBe(kidB);
    // An instance still on the old key (a rolling deploy) verifies the new key's signatures too.
    expect((await a.services.signer.verify(signedByB.jws)).kid).toBe(kidB);

    const res = await b.request("/.well-known/jwks.json");
    expect(res.status).toBe(200);
    const jwks = (await res.json()) as {
      keys: { kid: string; kty: string; crv: string; x: string; d?: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([kidB, kidA]);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(key.d).toBeUndefined();
    }
    // The old instance publishes the same set.
    const fromA = (await (await a.request("/.well-known/jwks.json")).json()) as { keys: { kid: string }[] };
    expect(fromA.keys.map((k) => k.kid).sort()).toEqual([kidA, kidB].sort());

    const rows = await database.db.select().from(signingKeys).orderBy(asc(signingKeys.firstSeenAt));
    expect(rows.map((r) => [r.kid, r.retiredAt !== null])).toEqual([
      [kidA, true],
      [kidB, false],
    ]);
    expect(rows[0]?.fingerprint).toBe(a.services.keys.signing.fingerprint);

    // Restarting an old instance does not flip the current key back.
    const aAgain = await createTestApp(database, { env: { BATON_SIGNING_KEY: keyA }, clock });
    await aAgain.services.signer.register();
    const after = await database.db.select().from(signingKeys).orderBy(asc(signingKeys.firstSeenAt));
    expect(after.map((r) => r.retiredAt !== null)).toEqual([true, false]);
  });

  it("rotates the embedded key: the old PEM moves to retired/, a new one signs, old signatures verify", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "baton-rotate-"));
    const env = {
      BATON_DATA_DIR: path.join(dir, "data"),
      BATON_KEYS_DIR: path.join(dir, "keys"),
      BATON_BACKUP_DIR: path.join(dir, "backups"),
    };
    const clock = manualClock();
    const before = await loadKeys(loadConfig(env));
    expect(before.source.signing).toBe("generated");
    const oldSigner = createSigner({ keys: before, database, clock });
    const old = await oldSigner.sign({ sub: "signature:7" }, "baton-evidence+jws");

    const rotated = await rotateEmbeddedSigningKey(env.BATON_KEYS_DIR, clock.now());
    expect(rotated.previousKid).toBe(before.signing.kid);
    expect(rotated.retiredFile).not.toBeNull();
    expect(existsSync(rotated.retiredFile!)).toBe(true);
    expect(statSync(rotated.retiredFile!).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(env.BATON_KEYS_DIR, signingFile)).mode & 0o777).toBe(0o600);
    expect(readdirSync(env.BATON_KEYS_DIR).sort()).toEqual(["encryption-aes256.key", "retired", signingFile]);

    const after = await loadKeys(loadConfig(env));
    expect(after.source.signing).toBe("keys-dir");
    expect(after.signing.kid).toBe(rotated.kid);
    expect(after.signing.kid).not.toBe(before.signing.kid);
    expect(Buffer.from(after.encryption.key).equals(Buffer.from(before.encryption.key))).toBe(true);

    const newSigner = createSigner({ keys: after, database, clock });
    await newSigner.register();
    expect((await newSigner.verify(old.jws)).kid).toBe(before.signing.kid);
    expect((await newSigner.jwks()).keys.map((k) => k.kid)).toEqual([after.signing.kid, before.signing.kid]);

    clock.advance(1000);
    const again = await rotateEmbeddedSigningKey(env.BATON_KEYS_DIR, clock.now());
    expect(again.previousKid).toBe(after.signing.kid);
    expect(readdirSync(path.join(env.BATON_KEYS_DIR, "retired"))).toHaveLength(2);

    const fresh = path.join(dir, "empty-keys");
    expect(await rotateEmbeddedSigningKey(fresh)).toMatchObject({ previousKid: null, retiredFile: null });
    expect(existsSync(path.join(fresh, signingFile))).toBe(true);
  });
});
