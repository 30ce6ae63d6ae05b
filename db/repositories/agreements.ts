import { and, asc, desc, eq } from "drizzle-orm";
import type { AgreementHashes, AgreementTexts, ParsedAgreement } from "../../core/agreements/document.ts";
import { AppError } from "../../core/errors.ts";
import type { Db } from "../client.ts";
import { agreementVersions } from "../schema/index.ts";
import { recordEvidence } from "./evidence.ts";

export type AgreementVersionRow = typeof agreementVersions.$inferSelect;

export type AgreementVersionView = {
  agreementId: string;
  version: number;
  status: "draft" | "published";
  title: { "zh-CN": string; en: string };
  roles: string[];
  signWithinDays: number;
  terms: AgreementVersionRow["terms"];
  /** Fixed at publish; null for a draft. */
  hash: string | null;
  textHashes: { "zh-CN": string; en: string } | null;
  updatedAt: string;
  publishedAt: string | null;
  publishedBy: string | null;
  texts?: AgreementTexts;
};

export function versionView(row: AgreementVersionRow, withTexts = false): AgreementVersionView {
  return {
    agreementId: row.agreementId,
    version: row.version,
    status: row.status,
    title: row.title,
    roles: row.roles,
    signWithinDays: row.signWithinDays,
    terms: row.terms,
    hash: row.hash,
    textHashes: row.textHashes,
    updatedAt: row.updatedAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    publishedBy: row.publishedBy,
    ...(withTexts ? { texts: textsOf(row) } : {}),
  };
}

export function textsOf(row: AgreementVersionRow): AgreementTexts {
  return { "zh-CN": row.textZhCn, en: row.textEn };
}

function unknownVersion(agreementId: string, version: number): AppError {
  return new AppError("not_found", `There is no agreement ${agreementId} version ${version}.`);
}

export async function findVersion(
  db: Db,
  agreementId: string,
  version: number,
  options: { forUpdate?: boolean } = {},
): Promise<AgreementVersionRow | undefined> {
  const query = db
    .select()
    .from(agreementVersions)
    .where(and(eq(agreementVersions.agreementId, agreementId), eq(agreementVersions.version, version)));
  const rows = options.forUpdate ? await query.for("update") : await query;
  return rows[0];
}

export async function requireVersion(
  db: Db,
  agreementId: string,
  version: number,
): Promise<AgreementVersionRow> {
  const row = await findVersion(db, agreementId, version);
  if (!row) throw unknownVersion(agreementId, version);
  return row;
}

export async function listVersions(db: Db, agreementId?: string): Promise<AgreementVersionRow[]> {
  return db
    .select()
    .from(agreementVersions)
    .where(agreementId ? eq(agreementVersions.agreementId, agreementId) : undefined)
    .orderBy(asc(agreementVersions.agreementId), asc(agreementVersions.version));
}

/** The newest published version of each agreement: what is in force and what people are asked to sign. */
export async function currentVersions(db: Db): Promise<AgreementVersionRow[]> {
  const rows = await db
    .select()
    .from(agreementVersions)
    .where(eq(agreementVersions.status, "published"))
    .orderBy(asc(agreementVersions.agreementId), desc(agreementVersions.version));
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.agreementId) && seen.add(row.agreementId));
}

export async function currentVersion(db: Db, agreementId: string): Promise<AgreementVersionRow | undefined> {
  return (await currentVersions(db)).find((row) => row.agreementId === agreementId);
}

/** The current versions a role must sign (their `appliesTo.roles` name it). */
export async function currentVersionsForRole(db: Db, role: string | null): Promise<AgreementVersionRow[]> {
  if (!role) return [];
  return (await currentVersions(db)).filter((row) => row.roles.includes(role));
}

/**
 * Creates or replaces a draft inside the caller's transaction. A published version never changes:
 * putting it again is a 409, even with the same text.
 */
export async function putDraft(
  tx: Db,
  input: {
    agreementId: string;
    version: number;
    texts: AgreementTexts;
    parsed: ParsedAgreement;
    hashes: AgreementHashes;
  },
  actor: string,
  now: Date,
): Promise<{ created: boolean; row: AgreementVersionRow }> {
  const existing = await findVersion(tx, input.agreementId, input.version, { forUpdate: true });
  if (existing?.status === "published") {
    throw new AppError(
      "conflict",
      `Agreement ${input.agreementId} version ${input.version} is published and can no longer change; put a new version.`,
    );
  }
  const values = {
    title: input.parsed.title,
    textZhCn: input.texts["zh-CN"],
    textEn: input.texts.en,
    terms: input.parsed.terms,
    roles: input.parsed.terms.appliesTo?.roles ?? [],
    signWithinDays: input.parsed.signWithinDays,
    updatedAt: now,
    updatedBy: actor,
  };
  if (existing) {
    await tx
      .update(agreementVersions)
      .set(values)
      .where(
        and(
          eq(agreementVersions.agreementId, input.agreementId),
          eq(agreementVersions.version, input.version),
        ),
      );
  } else {
    await tx
      .insert(agreementVersions)
      .values({ agreementId: input.agreementId, version: input.version, ...values, createdAt: now });
  }
  await recordEvidence(tx, {
    at: now,
    actor,
    action: existing ? "agreement.draft.replaced" : "agreement.draft.created",
    subject: `agreement:${input.agreementId}:${input.version}`,
    data: { agreementId: input.agreementId, version: input.version, draftHash: input.hashes.hash },
  });
  return {
    created: !existing,
    row: (await findVersion(tx, input.agreementId, input.version)) as AgreementVersionRow,
  };
}

/**
 * Publishes a draft inside the caller's transaction: fixes its hashes, records the act. The caller
 * has parsed and linted exactly the stored texts (`hashes` are theirs).
 */
export async function publishVersion(
  tx: Db,
  input: { agreementId: string; version: number; hashes: AgreementHashes },
  actor: string,
  now: Date,
): Promise<AgreementVersionRow> {
  const row = await findVersion(tx, input.agreementId, input.version, { forUpdate: true });
  if (!row) throw unknownVersion(input.agreementId, input.version);
  if (row.status === "published") {
    throw new AppError(
      "conflict",
      `Agreement ${input.agreementId} version ${input.version} is already published.`,
    );
  }
  await tx
    .update(agreementVersions)
    .set({
      status: "published",
      hash: input.hashes.hash,
      textHashes: input.hashes.textHashes,
      publishedAt: now,
      publishedBy: actor,
    })
    .where(
      and(eq(agreementVersions.agreementId, input.agreementId), eq(agreementVersions.version, input.version)),
    );
  await recordEvidence(tx, {
    at: now,
    actor,
    action: "agreement.version.published",
    subject: `agreement:${input.agreementId}:${input.version}`,
    data: {
      agreementId: input.agreementId,
      version: input.version,
      hash: input.hashes.hash,
      textHashes: input.hashes.textHashes,
      roles: row.roles,
    },
  });
  return (await findVersion(tx, input.agreementId, input.version)) as AgreementVersionRow;
}
