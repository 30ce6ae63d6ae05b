import { createHash, randomBytes } from "node:crypto";
import { isPrincipal } from "../../core/access/principal.ts";
import { isKnownScope } from "../../core/access/scopes.ts";
import { AppError } from "../../core/errors.ts";
import type { Db } from "../../db/client.ts";
import { apiKeyRepository } from "../../db/repositories/api-keys.ts";
import { sameToken } from "./sessions.ts";

/** Keys look like `bk_<id>_<secret>`; the id finds the row, the secret is compared by its hash. */
const keyPattern = /^bk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export type NewApiKey = { name: string; principal: string; scopes: string[] };
export type CreatedApiKey = NewApiKey & { id: string; key: string; createdAt: string };

/** Checks a new key's fields by the rules (422 for a rule broken), then stores it hashed. */
export async function createApiKey(
  db: Db,
  input: NewApiKey,
  createdBy: string,
  now: Date,
): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new AppError("unprocessable", "name must be 1 to 100 characters.");
  }
  if (!isPrincipal(input.principal)) {
    throw new AppError("unprocessable", "principal must look like employee:ID, system:NAME or test:NAME.");
  }
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw new AppError("unprocessable", "a key needs at least one scope.");
  const unknown = scopes.find((s) => !isKnownScope(s));
  if (unknown !== undefined) {
    throw new AppError("unprocessable", `Unknown scope: ${unknown}.`, {
      messageKey: "error.unknown_scope",
      params: { scope: unknown },
    });
  }
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const id = Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join("");
  const secret = randomBytes(32).toString("base64url");
  await apiKeyRepository(db).insert({
    id,
    name,
    principal: input.principal,
    scopes,
    secretHash: hashSecret(secret),
    createdBy,
    createdAt: now,
  });
  return {
    id,
    name,
    principal: input.principal,
    scopes,
    key: `bk_${id}_${secret}`,
    createdAt: now.toISOString(),
  };
}

/** The key's row when `presented` is a live key, else undefined. */
export async function verifyApiKey(db: Db, presented: string) {
  const match = keyPattern.exec(presented);
  if (!match) return undefined;
  const [, id = "", secret = ""] = match;
  const row = await apiKeyRepository(db).findActive(id);
  if (!row || !sameToken(row.secretHash, hashSecret(secret))) return undefined;
  return row;
}
