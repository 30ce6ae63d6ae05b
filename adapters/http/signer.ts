import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import canonicalize from "canonicalize";
import {
  CompactSign,
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
} from "jose";
import type { Logger } from "pino";
import {
  type Clock,
  SignatureError,
  type SignedJws,
  type Signer,
  type VerifiedJws,
} from "../../core/ports.ts";
import type { Database } from "../../db/client.ts";
import { signingKeyRepository } from "../../db/repositories/signing-keys.ts";
import { type Keys, signingFile } from "./keys.ts";

/** Baton's signer, plus what the HTTP layer needs around it. */
export type KeyringSigner = Signer & {
  /** The current key's id. */
  readonly kid: string;
  /** Records the current key in `signing_keys` (once per process; `sign` makes sure of it too). */
  register(): Promise<void>;
  /** Current and previous public keys, current first: the body of /.well-known/jwks.json. */
  jwks(): Promise<{ keys: JWK[] }>;
};

const compactPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const kidPattern = /^[A-Za-z0-9_-]{43}$/;
const typPattern = /^[A-Za-z0-9.+-]{1,64}$/;
const maxJwsLength = 1_000_000;

function publicOnly(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: "EdDSA", use: "sig" };
}

/**
 * Compact JWS with EdDSA (Ed25519) and the key's thumbprint as `kid`. Verification finds the key
 * by `kid` among every key Baton has registered, so signatures made before a rotation still verify.
 */
export function createSigner(options: {
  keys: Keys;
  database: Database;
  clock: Clock;
  logger?: Pick<Logger, "info" | "warn">;
}): KeyringSigner {
  const { keys, database, clock, logger } = options;
  const current = keys.signing;
  const known = new Map<string, CryptoKey>([[current.kid, current.publicKey]]);
  let registered: Promise<void> | undefined;

  async function registerOnce(): Promise<void> {
    const { inserted, row } = await signingKeyRepository(database.db).register(
      {
        kid: current.kid,
        publicJwk: publicOnly(current.publicJwk, current.kid),
        fingerprint: current.fingerprint,
      },
      clock.now(),
    );
    if (inserted) logger?.info({ kid: current.kid }, "new signing key registered; earlier keys retired");
    else if (row.retiredAt) {
      logger?.warn(
        { kid: current.kid },
        "signing with a key that was retired by a newer one; was BATON_SIGNING_KEY rolled back?",
      );
    }
  }

  function register(): Promise<void> {
    registered ??= registerOnce().catch((error: unknown) => {
      registered = undefined;
      throw error;
    });
    return registered;
  }

  async function keyFor(kid: string): Promise<CryptoKey | undefined> {
    const cached = known.get(kid);
    if (cached) return cached;
    if (!kidPattern.test(kid)) return undefined;
    const row = await signingKeyRepository(database.db).find(kid);
    // A kid is the key's own thumbprint, so a row that disagrees with itself is not trusted.
    if (!row || (await calculateJwkThumbprint(row.publicJwk, "sha256")) !== kid) return undefined;
    const key = await importJWK(row.publicJwk, "EdDSA");
    if (!(key instanceof CryptoKey)) return undefined;
    known.set(kid, key);
    return key;
  }

  return {
    kid: current.kid,
    register,

    async sign(payload: object, typ: string): Promise<SignedJws> {
      if (!typPattern.test(typ)) throw new RangeError("typ must be a short media-type name");
      const text = canonicalize(payload);
      if (text === undefined || !text.startsWith("{"))
        throw new TypeError("the payload must be a JSON object");
      await register();
      const jws = await new CompactSign(new TextEncoder().encode(text))
        .setProtectedHeader({ alg: "EdDSA", kid: current.kid, typ })
        .sign(current.privateKey);
      return { jws, kid: current.kid };
    },

    async verify(jws: string, verifyOptions: { typ?: string } = {}): Promise<VerifiedJws> {
      if (typeof jws !== "string" || jws.length > maxJwsLength || !compactPattern.test(jws)) {
        throw new SignatureError("malformed");
      }
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(jws);
      } catch {
        throw new SignatureError("malformed");
      }
      if (header.alg !== "EdDSA") throw new SignatureError("bad_signature");
      if (typeof header.kid !== "string") throw new SignatureError("unknown_key");
      const key = await keyFor(header.kid);
      if (!key) throw new SignatureError("unknown_key");
      let verified: Awaited<ReturnType<typeof compactVerify>>;
      try {
        verified = await compactVerify(jws, key, { algorithms: ["EdDSA"] });
      } catch {
        throw new SignatureError("bad_signature");
      }
      if (verifyOptions.typ !== undefined && verified.protectedHeader.typ !== verifyOptions.typ) {
        throw new SignatureError("wrong_type");
      }
      let payload: unknown;
      try {
        payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(verified.payload));
      } catch {
        throw new SignatureError("malformed");
      }
      if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
        throw new SignatureError("malformed");
      }
      return {
        payload: payload as Record<string, unknown>,
        kid: header.kid,
        protectedHeader: { ...verified.protectedHeader, kid: header.kid },
      };
    },

    async jwks(): Promise<{ keys: JWK[] }> {
      const out: JWK[] = [publicOnly(current.publicJwk, current.kid)];
      try {
        for (const row of await signingKeyRepository(database.db).list()) {
          if (row.kid !== current.kid) out.push(publicOnly(row.publicJwk, row.kid));
        }
      } catch {
        // Before migrations have run there is no table yet; the current key is still worth serving.
      }
      return { keys: out };
    },
  };
}

export type RotatedKey = { previousKid: string | null; kid: string; retiredFile: string | null };

async function kidOfPem(pem: string): Promise<string> {
  const jwk = createPublicKey(pem).export({ format: "jwk" });
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, "sha256");
}

/**
 * Rotates the embedded signing key: writes a new Ed25519 key into `keysDir` and moves the old one
 * to `keysDir/retired/`. It takes effect when the server next starts, which registers the new key;
 * the old public key is already in `signing_keys` (every key is registered before it signs), so
 * what it signed keeps verifying. Not for BATON_SIGNING_KEY (the environment wins over this folder).
 */
export async function rotateEmbeddedSigningKey(keysDir: string, now: Date = new Date()): Promise<RotatedKey> {
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const currentFile = path.join(keysDir, signingFile);
  const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const kid = await kidOfPem(pem);
  // Write the new key beside the old one first, so a failure never leaves the folder without a key.
  const staged = path.join(keysDir, `${signingFile}.new`);
  writeFileSync(staged, pem, { mode: 0o600, flag: "wx" });
  let previousKid: string | null = null;
  let retiredFile: string | null = null;
  if (existsSync(currentFile)) {
    previousKid = await kidOfPem(readFileSync(currentFile, "utf8"));
    const retiredDir = path.join(keysDir, "retired");
    mkdirSync(retiredDir, { recursive: true, mode: 0o700 });
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    retiredFile = path.join(retiredDir, `signing-ed25519.${stamp}.${previousKid.slice(0, 12)}.pem`);
    if (existsSync(retiredFile)) throw new Error(`${retiredFile} already exists`);
    renameSync(currentFile, retiredFile);
  }
  renameSync(staged, currentFile);
  return { previousKid, kid, retiredFile };
}
