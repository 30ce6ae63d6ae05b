import canonicalize from "canonicalize";
import type { EvidenceEntryInput } from "./entry.ts";

/**
 * The hash chain over evidence entries. Each link is
 *   hash = lowercase hex SHA-256 of the UTF-8 bytes of (prevHash ‖ canonical JSON of the entry)
 * where prevHash is the previous link's hash (64 zeros for the first link) and the canonical JSON
 * is RFC 8785 over `{ id, at, actor, action, subject, data }` with `at` in RFC 3339 UTC
 * (`2026-03-02T02:00:00.000Z`). A third party can recompute a link with standard tools:
 *   printf '%s%s' "$PREV_HASH" "$CANONICAL_JSON" | sha256sum
 */

/** The prevHash of the first link. */
export const genesisHash = "0".repeat(64);

/** An entry as the chain hashes it. */
export type ChainEntry = {
  id: string;
  /** RFC 3339, UTC, millisecond precision (what `Date.prototype.toISOString` writes). */
  at: string;
  actor: string;
  action: string;
  subject: string;
  data: Record<string, unknown>;
};

/** One link of the chain, with its entry when the entry is at hand. */
export type ChainLink = {
  seq: number;
  entryId: string;
  prevHash: string;
  hash: string;
  /** The entry; null when it is missing (or, in a bundle, reduced to its hash). */
  entry: ChainEntry | null;
};

export type ChainPosition = { seq: number; hash: string };

export type BrokenReason = "hash_mismatch" | "prev_link_broken" | "seq_gap" | "entry_missing";

export type BrokenLink = { seq: number; entryId: string; reason: BrokenReason };

export type ChainVerification = {
  ok: boolean;
  /** How many links were read. */
  length: number;
  /** The last link read, as stored. */
  head: ChainPosition | null;
  firstBroken?: BrokenLink;
};

export function toChainEntry(id: string, entry: EvidenceEntryInput): ChainEntry {
  return {
    id,
    at: entry.at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    data: entry.data,
  };
}

/** RFC 8785 canonical JSON of an entry; throws when the data is not plain JSON (NaN, Infinity, cycles). */
export function canonicalEntry(entry: ChainEntry): string {
  const { id, at, actor, action, subject, data } = entry;
  const text = canonicalize({ id, at, actor, action, subject, data });
  if (text === undefined) throw new TypeError("the evidence entry does not serialise to JSON");
  return text;
}

const encoder = new TextEncoder();

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let hex = "";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** SHA-256 of the entry alone: what a bundle keeps of other people's entries. */
export function entryHash(entry: ChainEntry): Promise<string> {
  return sha256Hex(canonicalEntry(entry));
}

/** The hash of the link that puts `entry` after `prevHash`. */
export function chainHash(prevHash: string, entry: ChainEntry): Promise<string> {
  return sha256Hex(prevHash + canonicalEntry(entry));
}

export type ChainVerifierOptions = {
  /** Where the segment starts: the link before its first one. Default: the genesis (seq 0). */
  start?: ChainPosition;
  /** Links without their entry are checked by linkage only (bundles with other people's entries reduced). */
  allowRedacted?: boolean;
};

/**
 * Verifies links one at a time, in seq order, so a long chain can be read in pages. After the first
 * broken link it only counts.
 */
export function createChainVerifier(options: ChainVerifierOptions = {}) {
  let previous: ChainPosition = options.start ?? { seq: 0, hash: genesisHash };
  let length = 0;
  let head: ChainPosition | null = null;
  let firstBroken: BrokenLink | undefined;

  async function check(link: ChainLink): Promise<BrokenReason | undefined> {
    if (link.seq !== previous.seq + 1) return "seq_gap";
    if (link.prevHash !== previous.hash) return "prev_link_broken";
    if (!link.entry) return options.allowRedacted ? undefined : "entry_missing";
    if (link.entry.id !== link.entryId) return "entry_missing";
    let expected: string;
    try {
      expected = await chainHash(link.prevHash, link.entry);
    } catch {
      return "hash_mismatch";
    }
    return expected === link.hash ? undefined : "hash_mismatch";
  }

  return {
    /** Checks the next link; returns what broke, if this is the first broken link. */
    async push(link: ChainLink): Promise<BrokenLink | undefined> {
      length += 1;
      head = { seq: link.seq, hash: link.hash };
      if (firstBroken) return undefined;
      const reason = await check(link);
      previous = { seq: link.seq, hash: link.hash };
      if (!reason) return undefined;
      firstBroken = { seq: link.seq, entryId: link.entryId, reason };
      return firstBroken;
    },
    get broken(): BrokenLink | undefined {
      return firstBroken;
    },
    result(): ChainVerification {
      return { ok: firstBroken === undefined, length, head, ...(firstBroken ? { firstBroken } : {}) };
    },
  };
}

/** Recomputes a chain segment (in seq order) and names the first broken link. */
export async function verifyChain(
  segment: Iterable<ChainLink>,
  options: ChainVerifierOptions = {},
): Promise<ChainVerification> {
  const verifier = createChainVerifier(options);
  for (const link of segment) await verifier.push(link);
  return verifier.result();
}
