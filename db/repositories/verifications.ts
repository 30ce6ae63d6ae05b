import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import {
  isVerificationId,
  maskName,
  type VerificationKind,
  type VerificationSummary,
} from "../../core/audit/verification.ts";
import type { Locale } from "../../core/messages/index.ts";
import type { Db } from "../client.ts";
import { verifications } from "../schema/index.ts";

export type VerificationRow = typeof verifications.$inferSelect;

export type NewVerification = {
  kind: VerificationKind;
  /** What the JWS is about; its payload's `sub` must be exactly this. */
  subject: string;
  /** What was signed or certified, in both languages. */
  title: Record<Locale, string>;
  /** The holder's name in clear; only its masked form is stored. */
  holderName: string;
  /** When it was signed or issued. */
  at: Date;
  /** A compact JWS from the Signer over a payload with `sub: subject`. */
  jws: string;
  /** The last day it is valid (YYYY-MM-DD), for what expires. */
  validThrough?: string;
};

function payloadSubject(jws: string): unknown {
  const part = jws.split(".")[1];
  if (!part) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return payload && typeof payload === "object" ? (payload as { sub?: unknown }).sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a public verification page for a signature or certificate, inside the caller's
 * transaction; returns its unguessable id (128 random bits). The page is `/verify/<id>`.
 */
export async function createVerification(tx: Db, input: NewVerification): Promise<{ id: string }> {
  if (payloadSubject(input.jws) !== input.subject) {
    throw new RangeError("the JWS payload's sub must equal the verification subject");
  }
  const id = randomBytes(16).toString("base64url");
  const summary: VerificationSummary = {
    title: input.title,
    holder: maskName(input.holderName),
    at: input.at.toISOString(),
    ...(input.validThrough ? { validThrough: input.validThrough } : {}),
  };
  await tx.insert(verifications).values({
    id,
    kind: input.kind,
    subject: input.subject,
    summary,
    jws: input.jws,
  });
  return { id };
}

/** Marks a verification revoked (a corrected certificate, a withdrawn signature); false if unknown or already revoked. */
export async function revokeVerification(tx: Db, id: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(verifications)
    .set({ revokedAt: at })
    .where(and(eq(verifications.id, id), isNull(verifications.revokedAt)))
    .returning({ id: verifications.id });
  return rows.length > 0;
}

export async function findVerification(db: Db, id: string): Promise<VerificationRow | undefined> {
  if (!isVerificationId(id)) return undefined;
  const [row] = await db.select().from(verifications).where(eq(verifications.id, id));
  return row;
}
