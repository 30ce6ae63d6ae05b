import type { SignatureRecord, SignatureSurface } from "./record.ts";

/**
 * Who signs, as the surface established it. Chat surfaces pass the person the platform verified
 * (its tenant and user id, the verified request's hash and signature header); the web passes the
 * session's person with the client IP (trusted proxies only), user agent and session.
 */
export type SignerIdentity = {
  principal: string;
  surface: SignatureSurface;
  platformTenantId?: string;
  platformUserId?: string;
  requestHash?: string;
  signatureHeader?: string;
  ip?: string;
  userAgent?: string;
  sessionIdHash?: string;
};

export type SignInput = { requestId: string; signer: SignerIdentity; typedName: string };

export type SignResult = {
  signatureId: string;
  verificationId: string;
  record: SignatureRecord;
  jws: string;
  kid: string;
};

/**
 * The sign command, the same for every surface: unknown request 404, someone else's 403, signed
 * already 409, a typed name that is not the directory name 422 — and then nothing has changed.
 */
export type SignAgreement = (input: SignInput) => Promise<SignResult>;
