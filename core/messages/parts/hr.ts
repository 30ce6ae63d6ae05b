/** Texts of the hr area (en and zh-CN with the same keys and placeholders); spread into the catalogue. */
export const hrEn = {
  "hr.placeholder_do_not_use": "Reserved.",
} as const;

export const hrZhCN: Record<keyof typeof hrEn, string> = {
  "hr.placeholder_do_not_use": "保留。",
};
