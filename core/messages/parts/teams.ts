/**
 * Texts of the Teams area (en and zh-CN with the same keys and placeholders). The HR alert's text
 * is meant to be spread into the catalogue (and mapped from the `teams.not_installed` alert code in
 * cards/templates/hr.ts); the app package's texts are read from here by adapters/teams/manifest.ts
 * (the manifest and its zh-CN localization file).
 */
export const teamsEn = {
  "card.hr_alert.teams.not_installed":
    "Baton cannot write to this employee in Microsoft Teams: the Baton app is not installed for them. Install it for them, or for everyone with a Teams app setup policy (Teams admin center). Until then, send them a login link by e-mail (npx baton login-link EMPLOYEE-ID --email) so they can use the web chat.",
  "teams.app.name_short": "Baton",
  "teams.app.name_full": "Baton — HR offboarding assistant",
  "teams.app.description_short": "Resign, sign, train and hand over, with HR and the law on time.",
  "teams.app.description_full":
    "Baton is your company's HR bot for leaving well: give notice in a 1:1 chat and get a receipt, sign the confidentiality agreement, read the lessons and pass the quiz, confirm the handover, and get your separation certificate on time. Managers acknowledge notices and tick handovers on cards; HR gets alerts and a daily digest in bound channels. Every step is recorded as tamper-evident evidence.",
  "teams.command.resign": "Give notice of resignation (in a 1:1 chat)",
  "teams.command.status": "Your checklist and deadlines",
  "teams.command.sign": "Sign the agreements waiting for you",
  "teams.command.training": "Your courses and lessons",
  "teams.command.quiz": "Take a course quiz",
  "teams.command.handover": "Handovers waiting for you (managers, receivers)",
  "teams.command.cases": "Running offboarding cases (HR)",
  "teams.command.bind_hr": "Make this chat an HR channel (HR)",
  "teams.command.bind_finance": "Make this chat a finance channel (HR)",
  "teams.command.help": "What Baton can do",
} as const;

export const teamsZhCN: Record<keyof typeof teamsEn, string> = {
  "card.hr_alert.teams.not_installed":
    "Baton 无法在 Microsoft Teams 中给这位员工发消息：其 Teams 中尚未安装 Baton 应用。请为其安装，或在 Teams 管理中心用应用设置策略为所有人预装。在此之前，可通过电子邮件向其发送登录链接（npx baton login-link 工号 --email），让其使用网页聊天。",
  "teams.app.name_short": "Baton 离职助手",
  "teams.app.name_full": "Baton 离职助手：HR 离职办理",
  "teams.app.description_short": "提交离职、签署协议、完成培训与交接，HR 与法定时限一目了然。",
  "teams.app.description_full":
    "Baton 是公司的 HR 离职助手：在一对一聊天中提交离职通知并获得回执，签署保密协议，阅读课程并通过考试，确认工作交接，按时拿到离职证明。经理在卡片上确认离职通知、勾选交接事项；HR 在绑定的群组中收到提醒和每日摘要。每一步都留存为防篡改的证据。",
  "teams.command.resign": "提交离职通知（仅限一对一聊天）",
  "teams.command.status": "我的离职清单和期限",
  "teams.command.sign": "签署待签的协议",
  "teams.command.training": "我的课程",
  "teams.command.quiz": "参加课程考试",
  "teams.command.handover": "等待我处理的交接（经理、接收人）",
  "teams.command.cases": "进行中的离职案件（HR）",
  "teams.command.bind_hr": "将此群组设为 HR 频道（HR）",
  "teams.command.bind_finance": "将此群组设为财务频道（HR）",
  "teams.command.help": "Baton 能做什么",
};
