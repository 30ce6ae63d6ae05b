import canonicalize from "canonicalize";
import { z } from "zod";
import { type ChainEntry, type ChainLink, sha256Hex, verifyChain } from "../audit/chain.ts";
import { agreementHashes } from "./document.ts";
import { factsHash, factsOf, type SignatureRecord, signatureRecordType, signedAction } from "./record.ts";

/**
 * An evidence bundle: everything a third party needs to check one signature offline against a
 * pinned key fingerprint — the agreement text, the signed record and its JWS, Baton's public key,
 * and the chain segment from the record's entry to the head at export, with other people's
 * entries reduced to their hashes. Baton signs the segment at export (`segment.jws`), so a change
 * to any byte of it is caught even where the chain's own links cannot show it (a redacted entry's
 * id or hash).
 */
export const bundleFormat = "baton-evidence-bundle/1";
export const bundleSegmentType = "baton-bundle-segment+jws";

export type BundleLink = {
  seq: number;
  entryId: string;
  prevHash: string;
  hash: string;
  /** The entry itself, for this signature's own entries. */
  entry?: ChainEntry;
  /** SHA-256 of the canonical entry, for everyone else's (see core/audit/chain.ts `entryHash`). */
  entryHash?: string;
};

export type BundleTimestamp = {
  /** The chain head that was timestamped: its seq and hash (the RFC 3161 message imprint, SHA-256). */
  seq: number;
  hash: string;
  tsaUrl: string;
  /** The DER TimeStampResp, base64. Check it with `openssl ts -verify -digest HASH -in FILE -CAfile TSA.pem`. */
  token: string;
  genTime?: string;
};

export type EvidenceBundle = {
  format: typeof bundleFormat;
  exportedAt: string;
  agreement: {
    id: string;
    version: number;
    title: { "zh-CN": string; en: string };
    hash: string;
    textHashes: { "zh-CN": string; en: string };
    texts: { "zh-CN": string; en: string };
  };
  record: SignatureRecord;
  jws: string;
  /**
   * Baton's public keys that signed the record and the segment (OKP/Ed25519 JWKs, `kid` the RFC
   * 7638 thumbprint): one, or two when the key was rotated between signing and export.
   */
  keys: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string }[];
  chain: {
    /** The link before the record's entry: where recomputation starts. */
    start: { seq: number; hash: string };
    position: { entryId: string; seq: number };
    links: BundleLink[];
    head: { seq: number; hash: string };
    /** Baton's JWS over `{ sub, signatureId, head, segmentHash, exportedAt }`. */
    jws: string;
  };
  timestamps: BundleTimestamp[];
};

export type SegmentClaims = {
  sub: string;
  signatureId: string;
  head: { seq: number; hash: string };
  /** SHA-256 hex of the RFC 8785 JSON of `{ start, links }`. */
  segmentHash: string;
  exportedAt: string;
};

export function segmentHash(start: { seq: number; hash: string }, links: BundleLink[]): Promise<string> {
  return sha256Hex(canonicalize({ start, links }) ?? "");
}

// ---------------------------------------------------------------------------------------------
// Verification

export type CheckName =
  | "format"
  | "key"
  | "signature"
  | "record"
  | "text"
  | "entry"
  | "chain"
  | "segment"
  | "timestamps";

export type BundleCheck = { check: CheckName; ok: boolean; detail: string };

export type BundleVerification = {
  ok: boolean;
  checks: BundleCheck[];
  /** What was signed, by whom and when, once the bundle is well-formed. */
  summary?: {
    agreement: string;
    version: number;
    hash: string;
    employee: string;
    signedAt: string;
    entry: { id: string; seq: number };
    head: { seq: number; hash: string };
  };
};

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const jwsText = z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
const localeTexts = z.object({ "zh-CN": z.string(), en: z.string() }).strict();
const localeHashes = z.object({ "zh-CN": hex64, en: hex64 }).strict();
const chainEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    subject: z.string(),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();
const position = z.object({ seq: z.number().int().min(0), hash: hex64 }).strict();

const bundleSchema = z
  .object({
    format: z.literal(bundleFormat),
    exportedAt: z.string(),
    agreement: z
      .object({
        id: z.string(),
        version: z.number().int(),
        title: localeTexts,
        hash: hex64,
        textHashes: localeHashes,
        texts: localeTexts,
      })
      .strict(),
    record: z.record(z.string(), z.unknown()),
    jws: jwsText,
    keys: z
      .array(
        z
          .object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string(), kid: z.string() })
          .strict(),
      )
      .min(1)
      .max(10),
    chain: z
      .object({
        start: position,
        position: z.object({ entryId: z.string(), seq: z.number().int().min(1) }).strict(),
        links: z
          .array(
            z
              .object({
                seq: z.number().int().min(1),
                entryId: z.string(),
                prevHash: hex64,
                hash: hex64,
                entry: chainEntry.optional(),
                entryHash: hex64.optional(),
              })
              .strict(),
          )
          .min(1),
        head: position,
        jws: jwsText,
      })
      .strict(),
    timestamps: z.array(
      z
        .object({
          seq: z.number().int().min(1),
          hash: hex64,
          tsaUrl: z.string(),
          token: z.string(),
          genTime: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

function bytesOf(binary: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return bytesOf(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return bytesOf(atob(text));
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function sha256Bytes(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** SHA-256 hex of the raw 32-byte Ed25519 public key: what `baton verify --key` pins. */
export async function keyFingerprint(x: string): Promise<string> {
  return toHex(await sha256Bytes(fromBase64Url(x)));
}

/** RFC 7638 JWK thumbprint of an Ed25519 key: Baton's `kid`. */
export async function jwkThumbprint(x: string): Promise<string> {
  const json = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  return toBase64Url(await sha256Bytes(new TextEncoder().encode(json)));
}

/** Normalises a pinned fingerprint as people paste it: any case, with or without colons or spaces. */
export function normaliseFingerprint(value: string): string {
  return value.replace(/[\s:]/g, "").toLowerCase();
}

type VerifiedCompact = { header: Record<string, unknown>; payload: Record<string, unknown>; text: string };

/** Checks a compact EdDSA JWS with the given key; returns its header and payload, or a reason. */
async function verifyCompact(jws: string, key: CryptoKey): Promise<VerifiedCompact | string> {
  const [h = "", p = "", s = ""] = jws.split(".");
  let header: Record<string, unknown>;
  let text: string;
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64Url(h))) as Record<string, unknown>;
    text = new TextDecoder("utf-8", { fatal: true }).decode(fromBase64Url(p));
  } catch {
    return "the JWS is not well-formed";
  }
  if (header.alg !== "EdDSA") return `the JWS uses ${String(header.alg)}, not EdDSA`;
  const valid = await crypto.subtle.verify(
    { name: "Ed25519" },
    key,
    fromBase64Url(s),
    new TextEncoder().encode(`${h}.${p}`),
  );
  if (!valid) return "the Ed25519 signature does not verify with the pinned key";
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return "the signed payload is not JSON";
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    return "the signed payload is not a JSON object";
  return { header, payload: payload as Record<string, unknown>, text };
}

/** Looks for the DER OCTET STRING `04 20 <hash>` (the message imprint) inside a timestamp token. */
function containsImprint(der: Uint8Array, hash: string): boolean {
  const needle = [0x04, 0x20, ...(hash.match(/../g) ?? []).map((b) => Number.parseInt(b, 16))];
  outer: for (let i = 0; i + needle.length <= der.length; i++) {
    for (let j = 0; j < needle.length; j++) if (der[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Verifies a bundle offline. Each check is named; the first failure of each kind says exactly
 * what broke: the pinned key (a bundle bringing another key is refused before anything else),
 * Baton's signature on the record, the record against the signed payload, the agreement text
 * against its hashes, the record's chain entry, each chain link, the exported segment as a
 * whole, and any RFC 3161 timestamp's imprint (check the TSA's own signature with openssl).
 */
export async function verifyEvidenceBundle(
  input: unknown,
  pinnedFingerprints: string | readonly string[],
): Promise<BundleVerification> {
  const checks: BundleCheck[] = [];
  const fail = (check: CheckName, detail: string) => checks.push({ check, ok: false, detail });
  const pass = (check: CheckName, detail: string) => checks.push({ check, ok: true, detail });
  const done = (summary?: BundleVerification["summary"]): BundleVerification => ({
    ok: checks.every((c) => c.ok),
    checks,
    ...(summary ? { summary } : {}),
  });

  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail("format", `not a Baton evidence bundle: ${issue?.path.join(".") || "(top)"}: ${issue?.message}`);
    return done();
  }
  const bundle = parsed.data as unknown as EvidenceBundle;
  pass("format", bundleFormat);

  // 1. The keys: each JWS must be by a key whose fingerprint is pinned; a bundle's own key is not trusted.
  const pinned = (Array.isArray(pinnedFingerprints) ? pinnedFingerprints : [pinnedFingerprints]).map(
    normaliseFingerprint,
  );
  if (pinned.length === 0 || pinned.some((p) => !/^[0-9a-f]{64}$/.test(p))) {
    fail("key", "the pinned fingerprint must be 64 hex digits (SHA-256 of the raw Ed25519 public key)");
    return done();
  }
  const trusted = new Map<string, { key: CryptoKey; fingerprint: string }>();
  const foreign: string[] = [];
  for (const jwk of bundle.keys) {
    let fingerprint: string;
    let key: CryptoKey;
    try {
      fingerprint = await keyFingerprint(jwk.x);
      key = await crypto.subtle.importKey(
        "jwk",
        { kty: "OKP", crv: "Ed25519", x: jwk.x },
        { name: "Ed25519" },
        false,
        ["verify"],
      );
    } catch {
      fail("key", `the bundle's key ${jwk.kid} is not an Ed25519 public key`);
      return done();
    }
    if ((await jwkThumbprint(jwk.x)) !== jwk.kid) {
      fail("key", `the key ${jwk.kid} is not named by its own JWK thumbprint`);
      return done();
    }
    if (pinned.includes(fingerprint)) trusted.set(jwk.kid, { key, fingerprint });
    else foreign.push(fingerprint);
  }
  const kidOf = (jws: string): string | undefined => {
    try {
      const header = JSON.parse(new TextDecoder().decode(fromBase64Url(jws.split(".")[0] ?? ""))) as {
        kid?: unknown;
      };
      return typeof header.kid === "string" ? header.kid : undefined;
    } catch {
      return undefined;
    }
  };
  const recordKey = trusted.get(kidOf(bundle.jws) ?? "");
  const segmentKey = trusted.get(kidOf(bundle.chain.jws) ?? "");
  if (!recordKey || !segmentKey) {
    fail(
      "key",
      `the bundle is signed with ${foreign.length ? `key ${foreign.join(", ")}` : "a key it does not include"}, not the pinned key ${pinned.join(", ")}: refused`,
    );
    return done();
  }
  pass(
    "key",
    `signed with the pinned key ${[...new Set([recordKey.fingerprint, segmentKey.fingerprint])].join(", ")}`,
  );
  const key = recordKey.key;

  // 2. Baton's signature, and the record is exactly what was signed.
  const signed = await verifyCompact(bundle.jws, key);
  if (typeof signed === "string") fail("signature", `record JWS: ${signed}`);
  else if (signed.header.typ !== signatureRecordType)
    fail("signature", `the JWS is not a ${signatureRecordType}`);
  else {
    pass("signature", `Baton's EdDSA signature over the record verifies (kid ${String(signed.header.kid)})`);
    if (canonicalize(signed.payload) !== canonicalize(bundle.record))
      fail("record", "the record differs from what Baton signed");
    else pass("record", "the record is exactly what Baton signed");
  }
  const record = bundle.record;

  // 3. The agreement text against the hashes fixed at publish and recorded at signing.
  const hashes = await agreementHashes(bundle.agreement.texts);
  const textProblems: string[] = [];
  for (const locale of ["zh-CN", "en"] as const) {
    if (hashes.textHashes[locale] !== record.agreement?.textHashes?.[locale])
      textProblems.push(`the ${locale} agreement text does not match its hash in the record`);
  }
  if (hashes.hash !== record.agreement?.hash)
    textProblems.push("the agreement hash differs from the record's");
  if (
    bundle.agreement.hash !== record.agreement?.hash ||
    bundle.agreement.id !== record.agreement?.id ||
    bundle.agreement.version !== record.agreement?.version
  )
    textProblems.push("the bundle's agreement id, version or hash differs from the record's");
  if (textProblems.length) fail("text", textProblems.join("; "));
  else pass("text", `agreement ${record.agreement.id} v${record.agreement.version}, hash ${hashes.hash}`);

  // 4. The record's own chain entry carries the record's hash and facts.
  const links = bundle.chain.links;
  const own = links.find((l) => l.entryId === record.evidenceEntryId);
  const entry = own?.entry;
  if (!own || !entry)
    fail("entry", `the record's evidence entry ${String(record.evidenceEntryId)} is not in the segment`);
  else {
    const data = entry.data as Record<string, unknown>;
    const expectedHash = await factsHash(factsOf(record)).catch(() => "");
    const problems: string[] = [];
    if (own.seq !== bundle.chain.position.seq || own.entryId !== bundle.chain.position.entryId)
      problems.push("its position differs from the bundle's");
    if (links[0]?.entryId !== record.evidenceEntryId) problems.push("the segment does not start at it");
    if (entry.action !== signedAction) problems.push(`its action is ${entry.action}`);
    if (entry.subject !== record.sub) problems.push("its subject is not the record's");
    if (entry.actor !== record.employee?.principal) problems.push("its actor is not the employee");
    if (entry.at !== record.signedAt) problems.push("its time is not the record's signedAt");
    if (data.recordHash !== expectedHash) problems.push("its recordHash is not the hash of the record");
    if (data.agreementHash !== record.agreement?.hash) problems.push("its agreementHash is not the record's");
    if (data.signatureId !== record.signatureId) problems.push("its signatureId is not the record's");
    if (problems.length) fail("entry", `chain entry #${own.seq}: ${problems.join("; ")}`);
    else pass("entry", `the record is entry #${own.seq} (${own.entryId}) of the chain`);
  }

  // 5. The chain: the record's entry recomputed, every later link linked, up to the head.
  const chainLinks: ChainLink[] = links.map((l) => ({
    seq: l.seq,
    entryId: l.entryId,
    prevHash: l.prevHash,
    hash: l.hash,
    entry: l.entry ?? null,
  }));
  const chain = await verifyChain(chainLinks, { start: bundle.chain.start, allowRedacted: true });
  const last = links[links.length - 1];
  if (!chain.ok && chain.firstBroken) {
    const b = chain.firstBroken;
    fail("chain", `chain link #${b.seq} (${b.entryId}): ${b.reason.replaceAll("_", " ")}`);
  } else if (!last || last.seq !== bundle.chain.head.seq || last.hash !== bundle.chain.head.hash) {
    fail("chain", "the segment does not end at the bundle's head");
  } else pass("chain", `${links.length} link(s) from #${links[0]?.seq} to head #${last.seq} ${last.hash}`);

  // 6. The segment as exported, signed by Baton (covers redacted ids and hashes too).
  const segment = await verifyCompact(bundle.chain.jws, segmentKey.key);
  if (typeof segment === "string") fail("segment", `segment JWS: ${segment}`);
  else {
    const claims = segment.payload as Partial<SegmentClaims>;
    const expected = await segmentHash(bundle.chain.start, links);
    if (segment.header.typ !== bundleSegmentType) fail("segment", `the JWS is not a ${bundleSegmentType}`);
    else if (claims.signatureId !== record.signatureId)
      fail("segment", "the segment JWS is for another signature");
    else if (claims.head?.seq !== bundle.chain.head.seq || claims.head?.hash !== bundle.chain.head.hash)
      fail("segment", "the head differs from the one Baton signed at export");
    else if (claims.segmentHash !== expected) fail("segment", "the chain segment was changed after export");
    else pass("segment", `Baton signed this segment at export (${String(claims.exportedAt)})`);
  }

  // 7. RFC 3161 timestamps: over a head in this segment, with that head's hash as the imprint.
  const stampProblems: string[] = [];
  for (const stamp of bundle.timestamps) {
    const link = links.find((l) => l.seq === stamp.seq);
    if (!link || link.hash !== stamp.hash) {
      stampProblems.push(`timestamp of #${stamp.seq}: not a head of this segment`);
      continue;
    }
    let der: Uint8Array;
    try {
      der = fromBase64(stamp.token);
    } catch {
      stampProblems.push(`timestamp of #${stamp.seq}: the token is not base64`);
      continue;
    }
    if (!containsImprint(der, stamp.hash))
      stampProblems.push(`timestamp of #${stamp.seq}: the token is not over its hash`);
  }
  if (stampProblems.length) fail("timestamps", stampProblems.join("; "));
  else
    pass(
      "timestamps",
      bundle.timestamps.length === 0
        ? "none"
        : `${bundle.timestamps.length} RFC 3161 token(s) over heads of this segment; check the TSA's signature with openssl ts -verify`,
    );

  return done({
    agreement: String(record.agreement?.id),
    version: Number(record.agreement?.version),
    hash: String(record.agreement?.hash),
    employee: String(record.employee?.externalId),
    signedAt: String(record.signedAt),
    entry: { id: bundle.chain.position.entryId, seq: bundle.chain.position.seq },
    head: bundle.chain.head,
  });
}
