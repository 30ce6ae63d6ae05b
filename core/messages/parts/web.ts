/** Texts of the web area (en and zh-CN with the same keys and placeholders); spread into the catalogue. */
export const webEn = {
  "web.placeholder_do_not_use": "Reserved.",
} as const;

export const webZhCN: Record<keyof typeof webEn, string> = {
  "web.placeholder_do_not_use": "保留。",
};
