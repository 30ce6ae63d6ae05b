import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { sameName } from "../../core/agreements/names.ts";
import {
  factsHash,
  type SignatureFacts,
  type SignatureRecord,
  type SignedEntryData,
  signatureRecordType,
  signedAction,
  typedNameHash,
} from "../../core/agreements/record.ts";
import type { SignInput, SignResult } from "../../core/agreements/signing.ts";
import { AppError } from "../../core/errors.ts";
import type { Locale } from "../../core/messages/index.ts";
import type { Signer } from "../../core/ports.ts";
import type { Database, Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import { findVersion, textsOf } from "../repositories/agreements.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { createVerification } from "../repositories/verifications.ts";
import { employeeIdentities, signatureRequests, signatures } from "../schema/index.ts";
import { employeeById, findRequest } from "./requests.ts";

export type { SignerIdentity, SignInput, SignResult } from "../../core/agreements/signing.ts";

export type SigningDeps = { signer: Signer; now: Date };

const refuse = (
  code: "not_found" | "forbidden" | "conflict" | "unprocessable",
  key: string,
  message: string,
) => new AppError(code, message, { messageKey: key });

/** What the web page and chat cards put in the employee's copy: the text, its hashes, the record and its JWS. */
export type SignedCopy = {
  signatureId: string;
  verificationId: string;
  agreement: {
    id: string;
    version: number;
    title: Record<Locale, string>;
    hash: string;
    textHashes: Record<Locale, string>;
    texts: Record<Locale, string>;
  };
  record: SignatureRecord;
  jws: string;
};

/**
 * Signs a request inside the caller's transaction (the web link's, or the chat command's own):
 * the request must exist (404) and be the signer's (403), not yet signed (409); the typed full
 * name must be the directory name (422). Writes the evidence entry, the record signed as a JWS,
 * the public verification page and the signature, marks the request signed and queues the
 * employee's copy — all or nothing. Wake the chain writer after the commit.
 */
export async function signInTransaction(tx: Db, deps: SigningDeps, input: SignInput): Promise<SignResult> {
  const { now } = deps;
  const request = await findRequest(tx, input.requestId, { forUpdate: true });
  if (!request)
    throw refuse("not_found", "agreement.request_not_found", "There is no such signature request.");
  const employee = await employeeById(tx, request.employeeId);
  const principal = `employee:${employee?.externalId}`;
  if (!employee || input.signer.principal !== principal) {
    throw refuse("forbidden", "agreement.not_yours", "This signature request is for someone else.");
  }
  if (request.status === "signed") {
    throw refuse("conflict", "agreement.already_signed", "This agreement version is already signed.");
  }
  if (employee.status !== "active") {
    throw refuse("unprocessable", "agreement.not_active", "Only active employees can sign.");
  }
  if (!sameName(input.typedName, employee.name)) {
    throw refuse(
      "unprocessable",
      "agreement.name_mismatch",
      "The name typed is not the full name on file. Type your full name as HR has it.",
    );
  }
  const { signer } = input;
  if (signer.surface !== "web") {
    // The platform's person must be the one linked to this employee by an admin, not just anyone.
    const linked = signer.platformUserId
      ? await tx
          .select({ id: employeeIdentities.employeeId })
          .from(employeeIdentities)
          .where(
            and(
              eq(employeeIdentities.employeeId, employee.id),
              eq(employeeIdentities.platform, signer.surface),
              eq(employeeIdentities.platformUserId, signer.platformUserId),
            ),
          )
      : [];
    if (linked.length === 0) {
      throw refuse("forbidden", "agreement.not_yours", "This signature request is for someone else.");
    }
  }
  const version = await findVersion(tx, request.agreementId, request.version);
  if (version?.status !== "published" || !version.hash || !version.textHashes) {
    throw refuse("conflict", "agreement.not_published", "This agreement version is not published.");
  }

  const signatureId = randomUUID();
  const salt = randomBytes(16).toString("base64url");
  const platform = {
    ...(signer.platformTenantId ? { tenantId: signer.platformTenantId } : {}),
    ...(signer.platformUserId ? { userId: signer.platformUserId } : {}),
    ...(signer.requestHash ? { requestHash: signer.requestHash } : {}),
    ...(signer.signatureHeader ? { signatureHeader: signer.signatureHeader } : {}),
  };
  const web = {
    ...(signer.ip ? { ip: signer.ip } : {}),
    ...(signer.userAgent ? { userAgent: signer.userAgent } : {}),
    ...(signer.sessionIdHash ? { sessionIdHash: signer.sessionIdHash } : {}),
  };
  const facts: SignatureFacts = {
    sub: `signature:${signatureId}`,
    type: "baton.agreement.signature",
    v: 1,
    signatureId,
    requestId: request.id,
    agreement: {
      id: version.agreementId,
      version: version.version,
      title: version.title,
      hash: version.hash,
      textHashes: version.textHashes,
    },
    employee: { externalId: employee.externalId, principal },
    signedAt: now.toISOString(),
    surface: signer.surface,
    ...(signer.surface !== "web" ? { platform } : {}),
    ...(signer.surface === "web" ? { web } : {}),
    typedName: { sha256: await typedNameHash(input.typedName, salt), salt, matched: true },
  };
  const data: SignedEntryData = {
    signatureId,
    requestId: request.id,
    agreementId: version.agreementId,
    version: version.version,
    agreementHash: version.hash,
    surface: signer.surface,
    recordHash: await factsHash(facts),
  };
  const evidenceEntryId = await recordEvidence(tx, {
    at: now,
    actor: principal,
    action: signedAction,
    subject: facts.sub,
    data,
  });
  const record: SignatureRecord = { ...facts, evidenceEntryId };
  const { jws, kid } = await deps.signer.sign(record, signatureRecordType);
  const { id: verificationId } = await createVerification(tx, {
    kind: "signature",
    subject: record.sub,
    title: {
      "zh-CN": `${version.title["zh-CN"]}（第 ${version.version} 版）`,
      en: `${version.title.en} (version ${version.version})`,
    },
    holderName: employee.name,
    at: now,
    jws,
  });
  await tx.insert(signatures).values({
    id: signatureId,
    requestId: request.id,
    agreementId: version.agreementId,
    version: version.version,
    employeeId: employee.id,
    signedAt: now,
    surface: signer.surface,
    record,
    jws,
    kid,
    evidenceEntryId,
    verificationId,
  });
  await tx
    .update(signatureRequests)
    .set({ status: "signed", signatureId })
    .where(eq(signatureRequests.id, request.id));
  const copy: SignedCopy = {
    signatureId,
    verificationId,
    agreement: {
      id: version.agreementId,
      version: version.version,
      title: version.title,
      hash: version.hash,
      textHashes: version.textHashes,
      texts: textsOf(version),
    },
    record,
    jws,
  };
  await enqueueNotification(
    tx,
    {
      kind: "agreement.signed",
      recipient: { type: "person", principal },
      data: { copy, verifyPath: `/verify/${verificationId}` },
      dedupeKey: `agreement-signed:${signatureId}`,
    },
    now,
  );
  return { signatureId, verificationId, record, jws, kid };
}

/**
 * The sign command chat surfaces call with the platform-verified person and the typed full name;
 * one transaction of its own. Signature rows are unique per request and per employee and version,
 * so a concurrent second signature fails here too (409).
 */
export async function signAgreement(
  database: Database,
  deps: { signer: Signer & { register?(): Promise<void> }; now: Date },
  input: SignInput,
): Promise<SignResult> {
  // Register the key before the transaction: on the embedded database nothing may run beside it.
  await deps.signer.register?.();
  try {
    return await database.db.transaction((tx) => signInTransaction(tx as unknown as Db, deps, input));
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw refuse("conflict", "agreement.already_signed", "This agreement version is already signed.");
    }
    throw error;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/** The signature row, or a 404. */
export async function requireSignature(db: Db, id: string) {
  const [row] = await db.select().from(signatures).where(eq(signatures.id, id));
  if (!row) throw new AppError("not_found", `There is no signature ${id}.`);
  return row;
}

export type SignatureRow = typeof signatures.$inferSelect;

/** The copy of a stored signature (what the web page offers for download). */
export async function copyOf(db: Db, row: SignatureRow): Promise<SignedCopy> {
  const version = await findVersion(db, row.agreementId, row.version);
  if (!version?.hash || !version.textHashes)
    throw new AppError("not_found", "The agreement version is gone.");
  return {
    signatureId: row.id,
    verificationId: row.verificationId,
    agreement: {
      id: version.agreementId,
      version: version.version,
      title: version.title,
      hash: version.hash,
      textHashes: version.textHashes,
      texts: textsOf(version),
    },
    record: row.record,
    jws: row.jws,
  };
}
