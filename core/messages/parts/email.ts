/** Texts of the email area (en and zh-CN with the same keys and placeholders); spread into the catalogue. */
export const emailEn = {
  "email.login.subject": "Your sign-in link",
  "email.login.body":
    "Here is your one-time link to sign in to Baton. Open it and press the button to sign in on that device. It works once, until {expiresAt}.",
  "email.login.button": "Sign in to Baton",
  "email.login.ignore":
    "If you did not ask for this, ignore this e-mail. Do not forward it: whoever opens it first is signed in as you.",
  "email.login.not_configured":
    "E-mail is not set up on this Baton (SMTP_URL and MAIL_FROM); no link was sent.",
  "email.login.not_active": "{employee} is {status}; login links are for active employees.",
  "email.login.no_address": "{employee} has no personal e-mail on record; no link was sent.",
  "email.login.too_many": "{employee} has had {limit} login e-mails in the last hour; try again later.",
  "email.login.bad_next": "next must be a path on this site, like /chat.",
  "email.login.send_failed": "The mail server did not take the message; no link was sent. Try again later.",
  "email.form.title": "Check your e-mail",
  "email.form.body":
    "If this employee ID is known and has a personal e-mail on record, a one-time sign-in link is on its way. It works for {minutes} minutes. Nothing arrived? Ask HR.",
  "email.form.bad_id": "Enter your employee ID, as HR gave it to you.",
  "email.form.not_configured.title": "E-mail is not set up",
  "email.form.not_configured.body": "This Baton does not send e-mail. Ask HR for a sign-in link.",
  "email.departed.intro":
    "Your employment has ended, so Baton writes to your personal e-mail instead of the company chat.",
  "email.departed.actions":
    "Some of this needs an answer in the company's systems: contact HR, who can act for you.",
} as const;

export const emailZhCN: Record<keyof typeof emailEn, string> = {
  "email.login.subject": "您的登录链接",
  "email.login.body":
    "这是您登录 Baton 的一次性链接。打开后点击按钮即可在该设备上登录。链接只能使用一次，有效期至 {expiresAt}。",
  "email.login.button": "登录 Baton",
  "email.login.ignore": "如果这不是您本人申请的，请忽略本邮件。请勿转发：最先打开链接的人将以您的身份登录。",
  "email.login.not_configured": "本 Baton 未配置邮件（SMTP_URL 和 MAIL_FROM），未发送链接。",
  "email.login.not_active": "{employee} 的状态为 {status}；登录链接仅发给在职员工。",
  "email.login.no_address": "{employee} 没有登记个人邮箱，未发送链接。",
  "email.login.too_many": "{employee} 在过去一小时内已收到 {limit} 封登录邮件，请稍后再试。",
  "email.login.bad_next": "next 必须是本站的路径，例如 /chat。",
  "email.login.send_failed": "邮件服务器未接收该邮件，未发送链接。请稍后再试。",
  "email.form.title": "请查收邮件",
  "email.form.body":
    "如果该工号存在且登记了个人邮箱，一次性登录链接已经发出，{minutes} 分钟内有效。没有收到？请联系 HR。",
  "email.form.bad_id": "请输入 HR 给您的工号。",
  "email.form.not_configured.title": "未配置邮件",
  "email.form.not_configured.body": "本 Baton 不发送邮件。请向 HR 索取登录链接。",
  "email.departed.intro": "您的劳动关系已经结束，因此 Baton 改为发送到您的个人邮箱，而不是公司聊天工具。",
  "email.departed.actions": "其中部分事项需要在公司系统中处理：请联系 HR，由 HR 代为办理。",
};
