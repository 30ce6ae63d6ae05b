import canonicalize from "canonicalize";
import { sha256Hex } from "../audit/chain.ts";
import type { Locale } from "../messages/index.ts";
import { normaliseName } from "./names.ts";

/** `typ` of the JWS over a signature record. */
export const signatureRecordType = "baton-signature+jws";

/** Where the employee signed. Chat surfaces pass the platform-verified person; `web` is our own page. */
export const signatureSurfaces = ["web", "slack", "lark", "dingtalk", "teams"] as const;
export type SignatureSurface = (typeof signatureSurfaces)[number];

export function isSignatureSurface(value: string): value is SignatureSurface {
  return (signatureSurfaces as readonly string[]).includes(value);
}

/**
 * The evidence record of one signature (DESIGN §6), signed by Baton as a JWS. Personal data kept
 * to what proves the act: the employee by id, the typed name only as a salted SHA-256 (anyone
 * holding the name can check it; nobody learns it from the record), the IP and user agent of a
 * web signing. `evidenceEntryId` is the record's place in the chain; its seq is known once the
 * chain writer has sequenced it and is given in bundles.
 */
export type SignatureRecord = {
  /** `signature:<id>`: what the JWS and the /verify page are about. */
  sub: string;
  type: "baton.agreement.signature";
  v: 1;
  signatureId: string;
  requestId: string;
  agreement: {
    id: string;
    version: number;
    title: Record<Locale, string>;
    /** The version hash fixed at publish (see document.ts), and the hash of each language's text. */
    hash: string;
    textHashes: Record<Locale, string>;
  };
  employee: { externalId: string; principal: string };
  /** Server clock, RFC 3339 UTC with milliseconds. */
  signedAt: string;
  surface: SignatureSurface;
  /** What the chat platform vouched for: its tenant and user ids, the verified request's hash and signature header. */
  platform?: { tenantId?: string; userId?: string; requestHash?: string; signatureHeader?: string };
  /** Our web page: the client IP (through trusted proxies only), user agent, and the session that signed. */
  web?: { ip?: string; userAgent?: string; sessionIdHash?: string };
  typedName: {
    /** SHA-256 hex of `salt ‖ ":" ‖ normaliseName(typed name)`. */
    sha256: string;
    salt: string;
    /** The typed name matched the directory name under `normaliseName` (it is refused otherwise). */
    matched: true;
  };
  evidenceEntryId: string;
};

/** The record without its chain position: what the evidence entry carries the hash of. */
export type SignatureFacts = Omit<SignatureRecord, "evidenceEntryId">;

export function factsOf(record: SignatureRecord): SignatureFacts {
  const { evidenceEntryId: _, ...facts } = record;
  return facts;
}

/** SHA-256 hex of the RFC 8785 JSON of the facts: the `recordHash` in the evidence entry. */
export async function factsHash(facts: SignatureFacts): Promise<string> {
  const text = canonicalize(facts);
  if (text === undefined) throw new TypeError("the signature record does not serialise to JSON");
  return sha256Hex(text);
}

export function typedNameHash(typedName: string, salt: string): Promise<string> {
  return sha256Hex(`${salt}:${normaliseName(typedName)}`);
}

/** The evidence entry's action for a signature; its data holds ids and hashes only. */
export const signedAction = "agreement.signed";

export type SignedEntryData = {
  signatureId: string;
  requestId: string;
  agreementId: string;
  version: number;
  agreementHash: string;
  surface: SignatureSurface;
  recordHash: string;
};
