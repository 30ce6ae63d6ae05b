import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { calculateJwkThumbprint, exportJWK, importPKCS8, importSPKI, type JWK } from "jose";
import type { Config } from "./config.ts";

/** Baton's keys: Ed25519 for signing (links, evidence, certificates), AES-256-GCM for personal data. */
export type Keys = {
  signing: {
    kid: string;
    privateKey: CryptoKey;
    publicKey: CryptoKey;
    publicJwk: JWK;
    /** SHA-256 over the raw public key, hex: what `baton verify --key` pins. */
    fingerprint: string;
  };
  encryption: { kid: string; key: Uint8Array };
  source: {
    signing: "environment" | "generated" | "keys-dir";
    encryption: "environment" | "generated" | "keys-dir";
  };
};

export class KeyError extends Error {
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = "KeyError";
  }
}

export const signingFile = "signing-ed25519.pem";
const encryptionFile = "encryption-aes256.key";

function encryptionKid(key: Uint8Array): string {
  return `aes-${createHash("sha256").update("baton encryption key id\0").update(key).digest("hex").slice(0, 16)}`;
}

async function signingKeys(pem: string, variable: string): Promise<Keys["signing"]> {
  let keyObject: ReturnType<typeof createPrivateKey>;
  try {
    keyObject = createPrivateKey(pem);
  } catch {
    throw new KeyError(variable, "is not a readable PKCS#8 PEM private key");
  }
  if (keyObject.asymmetricKeyType !== "ed25519") {
    throw new KeyError(variable, `must be an Ed25519 key, not ${keyObject.asymmetricKeyType ?? "unknown"}`);
  }
  const spki = createPublicKey(keyObject).export({ type: "spki", format: "pem" }).toString();
  const privateKey = await importPKCS8(pem, "EdDSA", { extractable: false });
  const publicKey = await importSPKI(spki, "EdDSA", { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  const raw = Buffer.from(jwk.x ?? "", "base64url");
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { ...jwk, kid, alg: "EdDSA", use: "sig" },
    fingerprint: createHash("sha256").update(raw).digest("hex"),
  };
}

function readOrCreate(file: string, create: () => string | Buffer): { value: Buffer; created: boolean } {
  if (existsSync(file)) return { value: readFileSync(file), created: false };
  const value = create();
  writeFileSync(file, value, { mode: 0o600, flag: "wx" });
  return { value: Buffer.from(value), created: true };
}

/**
 * Loads keys from the environment, or — with the embedded database only — from BATON_KEYS_DIR,
 * generating each once. The config check keeps that folder apart from the data and backups.
 */
export async function loadKeys(config: Config): Promise<Keys> {
  const fromEnvSigning = config.BATON_SIGNING_KEY;
  const fromEnvEncryption = config.BATON_ENCRYPTION_KEY;
  if ((!fromEnvSigning || !fromEnvEncryption) && config.database.kind !== "pglite") {
    throw new KeyError("BATON_SIGNING_KEY", "and BATON_ENCRYPTION_KEY are required when DATABASE_URL is set");
  }
  const dir = config.BATON_KEYS_DIR;
  const ensureDir = () => mkdirSync(dir, { recursive: true, mode: 0o700 });

  let signingPem: string;
  let signingSource: Keys["source"]["signing"] = "environment";
  if (fromEnvSigning) {
    signingPem = fromEnvSigning.replace(/\\n/g, "\n");
  } else {
    ensureDir();
    const { value, created } = readOrCreate(path.join(dir, signingFile), () =>
      generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    );
    signingPem = value.toString("utf8");
    signingSource = created ? "generated" : "keys-dir";
  }

  let encryptionKey: Uint8Array;
  let encryptionSource: Keys["source"]["encryption"] = "environment";
  if (fromEnvEncryption) {
    encryptionKey = new Uint8Array(Buffer.from(fromEnvEncryption, "base64"));
  } else {
    ensureDir();
    const { value, created } = readOrCreate(path.join(dir, encryptionFile), () =>
      randomBytes(32).toString("base64"),
    );
    encryptionKey = new Uint8Array(Buffer.from(value.toString("utf8").trim(), "base64"));
    if (encryptionKey.length !== 32) {
      throw new KeyError("BATON_KEYS_DIR", `${encryptionFile} does not hold 32 bytes in base64`);
    }
    encryptionSource = created ? "generated" : "keys-dir";
  }

  return {
    signing: await signingKeys(signingPem, fromEnvSigning ? "BATON_SIGNING_KEY" : `${dir}/${signingFile}`),
    encryption: { kid: encryptionKid(encryptionKey), key: encryptionKey },
    source: { signing: signingSource, encryption: encryptionSource },
  };
}
