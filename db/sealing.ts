import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { SealedField } from "./schema/directory.ts";

/** The master key that wraps per-employee data keys (BATON_ENCRYPTION_KEY). */
export type MasterKey = { kid: string; key: Uint8Array };

function encrypt(key: Uint8Array, plaintext: Buffer, aad: string): { iv: string; ct: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv: iv.toString("base64"), ct: ct.toString("base64") };
}

function decrypt(key: Uint8Array, iv: string, ct: string, aad: string): Buffer {
  const raw = Buffer.from(ct, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]);
}

export function dataKeyId(key: Uint8Array): string {
  return `dk-${createHash("sha256").update("baton data key id\0").update(key).digest("hex").slice(0, 16)}`;
}

/** A new data key for one employee, and its wrapped form to store (bound to the employee by AAD). */
export function newDataKey(
  master: MasterKey,
  employeeId: string,
): { key: Uint8Array; kid: string; wrapped: string } {
  const key = new Uint8Array(randomBytes(32));
  const { iv, ct } = encrypt(master.key, Buffer.from(key), `data-key:${employeeId}`);
  return { key, kid: dataKeyId(key), wrapped: `${iv}.${ct}` };
}

export function unwrapDataKey(master: MasterKey, employeeId: string, wrapped: string): Uint8Array {
  const [iv = "", ct = ""] = wrapped.split(".");
  return new Uint8Array(decrypt(master.key, iv, ct, `data-key:${employeeId}`));
}

/**
 * Seals one field. The AAD binds the ciphertext to the employee and the field, so a value cannot
 * be moved to another row or column unnoticed.
 */
export function sealField(
  key: Uint8Array,
  kid: string,
  employeeId: string,
  field: string,
  value: string,
): SealedField {
  return { kid, ...encrypt(key, Buffer.from(value, "utf8"), `${employeeId}:${field}`) };
}

export function openField(key: Uint8Array, employeeId: string, field: string, sealed: SealedField): string {
  return decrypt(key, sealed.iv, sealed.ct, `${employeeId}:${field}`).toString("utf8");
}
