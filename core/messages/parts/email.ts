/** Texts of the email area (en and zh-CN with the same keys and placeholders); spread into the catalogue. */
export const emailEn = {
  "emailpart.placeholder_do_not_use": "Reserved.",
} as const;

export const emailZhCN: Record<keyof typeof emailEn, string> = {
  "emailpart.placeholder_do_not_use": "保留。",
};
