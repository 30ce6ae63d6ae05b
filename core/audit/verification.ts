import type { Locale } from "../messages/index.ts";

/**
 * Public verification pages (`/verify/:id`) for signatures and certificates. The page shows only
 * what a third party holding the link needs: what it is, when, whether it still stands, and the
 * holder's name masked.
 */
export const verificationKinds = ["signature", "certificate", "training-certificate"] as const;
export type VerificationKind = (typeof verificationKinds)[number];

export function isVerificationKind(value: string): value is VerificationKind {
  return (verificationKinds as readonly string[]).includes(value);
}

/** What the page shows; stored as is, so it never holds a name in clear. */
export type VerificationSummary = {
  /** What was signed or certified, in both languages (e.g. the agreement title and version). */
  title: Record<Locale, string>;
  /** The holder's name, masked with `maskName`. */
  holder: string;
  /** When it was signed or issued, RFC 3339. */
  at: string;
  /** The last day it is valid (YYYY-MM-DD), for what expires (training certificates). */
  validThrough?: string;
};

/** 128 random bits in base64url: 22 characters. */
export const verificationIdPattern = /^[A-Za-z0-9_-]{22}$/;

export function isVerificationId(value: string): boolean {
  return verificationIdPattern.test(value);
}

/**
 * Masks a person's name for display: each word keeps its first character and the rest become `*`
 * (`张三丰` → `张**`, `John Doe` → `J*** D**`). A one-character name is masked entirely.
 */
export function maskName(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 1 && Array.from(words[0] ?? "").length === 1) return "*";
  return words
    .map((word) => {
      const chars = Array.from(word);
      return (chars[0] ?? "") + "*".repeat(chars.length - 1);
    })
    .join(" ");
}
