import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import type { JWK } from "jose";
import type { VerificationSummary } from "../../core/audit/verification.ts";
import { createdAt } from "./columns.ts";

/**
 * Every Ed25519 key Baton has signed with: the current one and those rotated out, which stay here
 * (and in /.well-known/jwks.json) so that what they signed still verifies.
 */
export const signingKeys = pgTable("signing_keys", {
  /** RFC 7638 JWK thumbprint (SHA-256), the `kid` in every JWS header. */
  kid: text("kid").primaryKey(),
  publicJwk: jsonb("public_jwk").$type<JWK>().notNull(),
  /** SHA-256 over the raw public key, hex: what `baton verify --key` pins. */
  fingerprint: text("fingerprint").notNull(),
  firstSeenAt: timestamp("first_seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  /** When a newer key took over; a retired key no longer signs but still verifies. */
  retiredAt: timestamp("retired_at", { withTimezone: true, mode: "date" }),
});

/** Public verification pages for signatures and certificates (`/verify/:id`, an unguessable id). */
export const verifications = pgTable(
  "verifications",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    /** What the JWS is about, e.g. `signature:<id>`; the JWS payload's `sub` must equal it. */
    subject: text("subject").notNull(),
    /** What the page shows: title, masked holder name, date. Never a name in clear. */
    summary: jsonb("summary").$type<VerificationSummary>().notNull(),
    jws: text("jws").notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("verifications_subject_idx").on(t.subject)],
);
