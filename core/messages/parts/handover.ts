/** Texts of saving handover checklist progress (en and zh-CN with the same keys and placeholders). */
export const handoverEn = {
  "case.checklist_not_yours": "You may not change the checklist of the {step} step.",
  "case.checklist_receiver":
    "As the receiver you confirm receipt; the owner of the {step} step ticks its checklist.",
  "bot.handover.saved":
    "Saved: {done} of {total} items handed over. Press “Handover complete” once everything is handed over.",
} as const;

export const handoverZhCN: Record<keyof typeof handoverEn, string> = {
  "case.checklist_not_yours": "您无权修改 {step} 步骤的清单。",
  "case.checklist_receiver": "接收人只需确认接收；{step} 步骤的清单由负责人勾选。",
  "bot.handover.saved": "已保存：{total} 项中已交接 {done} 项。全部交接后请点击“确认交接完成”。",
};
