import { createPublicKey, generateKeyPairSync, type JsonWebKey, randomBytes, verify } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testKeyEnv } from "../../test/helpers/app.ts";
import { loadConfig } from "./config.ts";
import { KeyError, loadKeys } from "./keys.ts";

function folders() {
  const dir = mkdtempSync(path.join(tmpdir(), "baton-keys-"));
  return {
    BATON_DATA_DIR: path.join(dir, "data"),
    BATON_KEYS_DIR: path.join(dir, "keys"),
    BATON_BACKUP_DIR: path.join(dir, "backups"),
  };
}

describe("keys", () => {
  it("generates both keys once into BATON_KEYS_DIR (0600), never the data folder, and reuses them", async () => {
    const env = folders();
    const first = await loadKeys(loadConfig(env));
    expect(first.source).toEqual({ signing: "generated", encryption: "generated" });
    expect(readdirSync(env.BATON_KEYS_DIR).sort()).toEqual(["encryption-aes256.key", "signing-ed25519.pem"]);
    for (const file of readdirSync(env.BATON_KEYS_DIR)) {
      expect(statSync(path.join(env.BATON_KEYS_DIR, file)).mode & 0o777).toBe(0o600);
    }
    expect(existsSync(env.BATON_DATA_DIR)).toBe(false);
    const second = await loadKeys(loadConfig(env));
    expect(second.source).toEqual({ signing: "keys-dir", encryption: "keys-dir" });
    expect(second.signing.kid).toBe(first.signing.kid);
    expect(second.encryption.kid).toBe(first.encryption.kid);
    expect(Buffer.from(second.encryption.key).equals(Buffer.from(first.encryption.key))).toBe(true);
  });

  it("takes keys from the environment and writes nothing", async () => {
    const env = { ...folders(), ...testKeyEnv() };
    const keys = await loadKeys(loadConfig(env));
    expect(keys.source).toEqual({ signing: "environment", encryption: "environment" });
    expect(existsSync(env.BATON_KEYS_DIR)).toBe(false);
    expect(keys.encryption.key).toHaveLength(32);
    expect(keys.signing.publicJwk).toMatchObject({ kty: "OKP", crv: "Ed25519", kid: keys.signing.kid });
    expect(keys.signing.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a signing key that is not Ed25519, naming the variable", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    const env = {
      ...folders(),
      BATON_SIGNING_KEY: rsa.toString(),
      BATON_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    };
    await expect(loadKeys(loadConfig(env))).rejects.toThrow(KeyError);
    await expect(loadKeys(loadConfig(env))).rejects.toThrow(/BATON_SIGNING_KEY: must be an Ed25519 key/);
  });

  it("signs with a key any Ed25519 verifier accepts", async () => {
    const env = { ...folders(), ...testKeyEnv() };
    const keys = await loadKeys(loadConfig(env));
    const data = new TextEncoder().encode("hello");
    const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", keys.signing.privateKey, data));
    const publicKey = createPublicKey({ key: keys.signing.publicJwk as JsonWebKey, format: "jwk" });
    expect(verify(null, data, publicKey, signature)).toBe(true);
  });
});
