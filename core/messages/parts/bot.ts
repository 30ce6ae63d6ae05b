/** Texts of the bot area (en and zh-CN with the same keys and placeholders); spread into the catalogue. */
export const botEn = {
  "bot.placeholder_do_not_use": "Reserved.",
} as const;

export const botZhCN: Record<keyof typeof botEn, string> = {
  "bot.placeholder_do_not_use": "保留。",
};
