/** Texts of the DingTalk wiring's own pages and messages (en and zh-CN, same keys and placeholders). */
export const dingtalkEn = {
  "dingtalk.action.title": "{label}",
  "dingtalk.action.body":
    "Baton will do this for you as in your DingTalk chat. Check, fill in what is asked and confirm.",
  "dingtalk.confirm.title": "Confirm: {label}",
  "dingtalk.confirm.body":
    "DingTalk does not sign the message itself, so this needs a fresh login: Baton has sent a one-time code to your 1:1 chat with the Baton robot. Type it here. A wrong code spends this link.",
  "dingtalk.confirm.command": "Command: {command}",
  "dingtalk.confirm.code_label": "One-time code from your DingTalk chat",
  "dingtalk.confirm.wrong.title": "Wrong or expired code",
  "dingtalk.confirm.wrong.body":
    "Nothing was done. Send the command again in DingTalk to get a new link and code.",
  "dingtalk.code.title": "Your one-time code",
  "dingtalk.code.body":
    'Code **{code}** confirms "{label}" on the page Baton linked (valid for {minutes} minutes). If you did not ask for this, ignore it and tell HR.',
  "dingtalk.input.optional": "(optional)",
  "dingtalk.done.title": "Done",
  "dingtalk.done.body": "Baton's answer is also in your DingTalk chat.",
  "dingtalk.refused.title": "Not served here",
  "dingtalk.refused.body": "Baton serves only its own company's DingTalk organisation.",
} as const;

export const dingtalkZhCN: Record<keyof typeof dingtalkEn, string> = {
  "dingtalk.action.title": "办理：{label}",
  "dingtalk.action.body": "Baton 会像在钉钉聊天中一样为你办理此事。请核对、填写所需内容后确认。",
  "dingtalk.confirm.title": "确认：{label}",
  "dingtalk.confirm.body":
    "钉钉不对消息本身签名，因此此操作需要重新登录：Baton 已将一次性验证码发到你与 Baton 机器人的单聊中，请在此输入。验证码错误会使本链接失效。",
  "dingtalk.confirm.command": "命令：{command}",
  "dingtalk.confirm.code_label": "钉钉单聊中收到的一次性验证码",
  "dingtalk.confirm.wrong.title": "验证码错误或已过期",
  "dingtalk.confirm.wrong.body": "未执行任何操作。请在钉钉中重新发送命令，以获取新的链接和验证码。",
  "dingtalk.code.title": "你的一次性验证码",
  "dingtalk.code.body":
    "验证码 **{code}** 用于在 Baton 链接的页面上确认“{label}”（{minutes} 分钟内有效）。如果不是你本人操作，请忽略并告知 HR。",
  "dingtalk.input.optional": "（选填）",
  "dingtalk.done.title": "已完成",
  "dingtalk.done.body": "Baton 的回复也已发到你的钉钉聊天中。",
  "dingtalk.refused.title": "无法在此提供服务",
  "dingtalk.refused.body": "Baton 只为本公司的钉钉组织提供服务。",
};
