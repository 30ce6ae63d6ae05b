import { asc, eq, gte } from "drizzle-orm";
import {
  type BundleLink,
  bundleFormat,
  bundleSegmentType,
  type EvidenceBundle,
  type SegmentClaims,
  segmentHash,
} from "../../core/agreements/bundle.ts";
import { entryHash } from "../../core/audit/chain.ts";
import { AppError } from "../../core/errors.ts";
import type { Signer } from "../../core/ports.ts";
import type { Db } from "../client.ts";
import { findVersion, textsOf } from "../repositories/agreements.ts";
import { signingKeyRepository } from "../repositories/signing-keys.ts";
import { evidenceChain, evidenceEntries } from "../schema/index.ts";
import { requireSignature } from "./signing.ts";
import { timestampsBetween } from "./timestamps.ts";

/** Public Ed25519 JWK as bundles carry it. */
function publicKey(jwk: { x?: string }, kid: string): EvidenceBundle["keys"][number] {
  return { kty: "OKP", crv: "Ed25519", x: String(jwk.x), kid };
}

/**
 * The evidence bundle of one signature: the agreement text, the record, its JWS, the public
 * key(s), and the chain from the record's entry to the current head — this signature's own
 * entries in full, everyone else's reduced to their hashes — plus Baton's JWS over that segment
 * and any RFC 3161 timestamps of heads inside it. The entry must be chained (run the chain writer
 * first); otherwise a 409 says to try again in a moment.
 */
export async function buildEvidenceBundle(
  db: Db,
  deps: { signer: Signer; now: Date },
  signatureId: string,
): Promise<EvidenceBundle> {
  const signature = await requireSignature(db, signatureId);
  const version = await findVersion(db, signature.agreementId, signature.version);
  if (!version?.hash || !version.textHashes)
    throw new AppError("not_found", "The agreement version is gone.");
  const [own] = await db
    .select({ seq: evidenceChain.seq, prevHash: evidenceChain.prevHash })
    .from(evidenceChain)
    .where(eq(evidenceChain.entryId, signature.evidenceEntryId));
  if (!own) {
    throw new AppError("conflict", "The signature is not in the evidence chain yet; try again in a moment.", {
      messageKey: "agreement.not_chained",
    });
  }
  const rows = await db
    .select({
      seq: evidenceChain.seq,
      entryId: evidenceChain.entryId,
      prevHash: evidenceChain.prevHash,
      hash: evidenceChain.hash,
      at: evidenceEntries.at,
      actor: evidenceEntries.actor,
      action: evidenceEntries.action,
      subject: evidenceEntries.subject,
      data: evidenceEntries.data,
    })
    .from(evidenceChain)
    .innerJoin(evidenceEntries, eq(evidenceEntries.id, evidenceChain.entryId))
    .where(gte(evidenceChain.seq, own.seq))
    .orderBy(asc(evidenceChain.seq));
  const subject = `signature:${signature.id}`;
  const links: BundleLink[] = [];
  for (const row of rows) {
    const entry = {
      id: row.entryId,
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      subject: row.subject,
      data: row.data,
    };
    const base = { seq: row.seq, entryId: row.entryId, prevHash: row.prevHash, hash: row.hash };
    links.push(row.subject === subject ? { ...base, entry } : { ...base, entryHash: await entryHash(entry) });
  }
  const last = links[links.length - 1] as BundleLink;
  const head = { seq: last.seq, hash: last.hash };
  const start = { seq: own.seq - 1, hash: own.prevHash };
  const exportedAt = deps.now.toISOString();
  const claims: SegmentClaims = {
    sub: `bundle:${signature.id}`,
    signatureId: signature.id,
    head,
    segmentHash: await segmentHash(start, links),
    exportedAt,
  };
  const segment = await deps.signer.sign(claims, bundleSegmentType);

  const keyRows = signingKeyRepository(db);
  const keys: EvidenceBundle["keys"] = [];
  for (const kid of new Set([signature.kid, segment.kid])) {
    const row = await keyRows.find(kid);
    if (!row) throw new AppError("internal", "A signing key of this bundle is not registered.");
    keys.push(publicKey(row.publicJwk, kid));
  }
  const stamps = await timestampsBetween(db, own.seq, head.seq);
  return {
    format: bundleFormat,
    exportedAt,
    agreement: {
      id: version.agreementId,
      version: version.version,
      title: version.title,
      hash: version.hash,
      textHashes: version.textHashes,
      texts: textsOf(version),
    },
    record: signature.record,
    jws: signature.jws,
    keys,
    chain: {
      start,
      position: { entryId: signature.evidenceEntryId, seq: own.seq },
      links,
      head,
      jws: segment.jws,
    },
    timestamps: stamps.map((s) => ({
      seq: s.seq,
      hash: s.hash,
      tsaUrl: s.tsaUrl,
      token: s.token,
      ...(s.genTime ? { genTime: s.genTime.toISOString() } : {}),
    })),
  };
}
