import { randomBytes } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { isPrincipal } from "../../../core/access/principal.ts";
import type { Clock } from "../../../core/ports.ts";
import type { Keys } from "../keys.ts";

const tokenType = "baton-link+jwt";
export const maxLinkLifetimeSeconds = 31 * 24 * 3600;

/** What a verified link says: who it is for, what it does, until when. */
export type LinkClaims = {
  principal: string;
  purpose: string;
  jti: string;
  expiresAt: Date;
  data: Record<string, unknown>;
};

export class LinkTokenError extends Error {
  readonly reason: "invalid" | "expired";
  constructor(reason: "invalid" | "expired") {
    super(reason === "expired" ? "the link has expired" : "the link is not valid");
    this.name = "LinkTokenError";
    this.reason = reason;
  }
}

export type IssueLinkInput = {
  principal: string;
  purpose: string;
  ttlSeconds: number;
  data?: Record<string, unknown>;
};

export type LinkTokens = {
  issue(input: IssueLinkInput): Promise<{ token: string; url: string; jti: string; expiresAt: Date }>;
  verify(token: string): Promise<LinkClaims>;
};

/**
 * Signed, expiring tokens bound to a principal and a purpose (a JWS with EdDSA). They travel in
 * URLs, so they are never logged; single use is enforced where they act, not here.
 */
export function createLinkTokens(options: { keys: Keys; clock: Clock; publicUrl: string }): LinkTokens {
  const { keys, clock, publicUrl } = options;
  return {
    async issue({ principal, purpose, ttlSeconds, data }) {
      if (!isPrincipal(principal))
        throw new RangeError("principal must look like employee:ID or system:NAME");
      if (!/^[a-z][a-z0-9.-]{1,63}$/.test(purpose))
        throw new RangeError("purpose must be a short lower-case name");
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxLinkLifetimeSeconds) {
        throw new RangeError(`ttlSeconds must be a whole number from 1 to ${maxLinkLifetimeSeconds}`);
      }
      const now = Math.floor(clock.now().getTime() / 1000);
      const jti = randomBytes(16).toString("base64url");
      const token = await new SignJWT({ pur: purpose, ...(data ? { dat: data } : {}) })
        .setProtectedHeader({ alg: "EdDSA", kid: keys.signing.kid, typ: tokenType })
        .setSubject(principal)
        .setJti(jti)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(keys.signing.privateKey);
      return { token, url: `${publicUrl}/a/${token}`, jti, expiresAt: new Date((now + ttlSeconds) * 1000) };
    },
    async verify(token) {
      if (token.length > 4096 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
        throw new LinkTokenError("invalid");
      }
      try {
        const { payload } = await jwtVerify(token, keys.signing.publicKey, {
          algorithms: ["EdDSA"],
          typ: tokenType,
          currentDate: clock.now(),
          requiredClaims: ["sub", "jti", "exp", "pur"],
        });
        const principal = String(payload.sub);
        const purpose = payload.pur;
        if (!isPrincipal(principal) || typeof purpose !== "string") throw new LinkTokenError("invalid");
        const data = payload.dat;
        return {
          principal,
          purpose,
          jti: String(payload.jti),
          expiresAt: new Date(Number(payload.exp) * 1000),
          data:
            data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {},
        };
      } catch (error) {
        if (error instanceof LinkTokenError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new LinkTokenError("expired");
        throw new LinkTokenError("invalid");
      }
    },
  };
}
