import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * DingTalk robot callbacks' `timestamp`/`sign` pairs already used (adapters/dingtalk/verify.ts):
 * the sign does not cover the body, so a pair is accepted once — the same pair again with the same
 * body is a redelivery (200, nothing done), with any other body a replay (401). Kept until the
 * timestamp is stale anyway (one hour).
 */
export const dingtalkCallbackPairs = pgTable(
  "dingtalk_callback_pairs",
  {
    replayKey: text("replay_key").primaryKey(),
    bodySha256: text("body_sha256").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("dingtalk_callback_pairs_expires_idx").on(t.expiresAt)],
);

/**
 * One-time codes that confirm a DingTalk action needing a fresh login (privileged commands,
 * signing): sent to the person's own 1:1 chat with the robot, keyed by the signed link they belong
 * to (`jti`). Only a SHA-256 of the code is kept; a wrong code spends it.
 */
export const dingtalkConfirmCodes = pgTable(
  "dingtalk_confirm_codes",
  {
    jti: text("jti").primaryKey(),
    principal: text("principal").notNull(),
    codeSha256: text("code_sha256").notNull(),
    attempts: integer("attempts").notNull().default(0),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("dingtalk_confirm_codes_expires_idx").on(t.expiresAt)],
);
