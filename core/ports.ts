/** The clock every rule reads; tests pass a fixed one. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

/** A compact JWS Baton made and where it came from (the signing key's id, a JWK thumbprint). */
export type SignedJws = { jws: string; kid: string };

export type VerifiedJws = {
  payload: Record<string, unknown>;
  kid: string;
  protectedHeader: { alg: string; kid: string; typ?: string } & Record<string, unknown>;
};

/**
 * Signs evidence, certificates and chain heads (JWS, RFC 7515). The payload is signed as its
 * RFC 8785 canonical JSON; `typ` names what it is (e.g. `baton-evidence+jws`). `verify` knows
 * every key Baton has signed with, current or retired, and throws `SignatureError` otherwise.
 */
export type Signer = {
  sign(payload: object, typ: string): Promise<SignedJws>;
  verify(jws: string, options?: { typ?: string }): Promise<VerifiedJws>;
};

export type SignatureFailure = "malformed" | "unknown_key" | "bad_signature" | "wrong_type";

export class SignatureError extends Error {
  readonly reason: SignatureFailure;
  constructor(reason: SignatureFailure) {
    super(`the signature does not verify (${reason})`);
    this.name = "SignatureError";
    this.reason = reason;
  }
}

/** Work the scheduler runs on every tick (each minute); it must be safe to run on several instances at once. */
export type TickJob = {
  name: string;
  run(now: Date): Promise<void>;
};
