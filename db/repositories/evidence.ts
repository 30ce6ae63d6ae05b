import { randomUUID } from "node:crypto";
import type { EvidenceEntryInput } from "../../core/audit/entry.ts";
import type { Db } from "../client.ts";
import { evidenceEntries } from "../schema/index.ts";

/** Writes an evidence entry inside the caller's transaction; returns its id. */
export async function recordEvidence(tx: Db, entry: EvidenceEntryInput): Promise<string> {
  const id = randomUUID();
  await tx.insert(evidenceEntries).values({ id, ...entry });
  return id;
}
