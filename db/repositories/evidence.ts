import { randomUUID } from "node:crypto";
import { canonicalEntry, toChainEntry } from "../../core/audit/chain.ts";
import type { EvidenceEntryInput } from "../../core/audit/entry.ts";
import type { Db } from "../client.ts";
import { evidenceEntries } from "../schema/index.ts";

/**
 * Writes an evidence entry inside the caller's transaction; returns its id. It takes no lock: the
 * chain writer sequences the entry after the transaction commits (wake it then with
 * `services.chainWriter.wake()`).
 */
export async function recordEvidence(tx: Db, entry: EvidenceEntryInput): Promise<string> {
  const id = randomUUID();
  if (Number.isNaN(entry.at.getTime())) throw new RangeError("evidence entry: `at` is not a valid date");
  // Data that cannot be hashed would stop the chain later; refuse it here, in the caller's transaction.
  canonicalEntry(toChainEntry(id, entry));
  await tx.insert(evidenceEntries).values({ id, ...entry });
  return id;
}
