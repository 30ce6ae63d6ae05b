import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { isTimeZone } from "../../core/compliance/dates.ts";
import { isWebhookSecret } from "../connectors/standard-webhooks.ts";

/** Thrown when the environment is wrong; the message names each variable at fault. */
export class ConfigError extends Error {
  readonly problems: readonly { variable: string; message: string }[];
  constructor(problems: readonly { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const optionalText = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v ? v : undefined));

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const flag = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return undefined;
    const s = v.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(s)) return true;
    if (["0", "false", "no", "off"].includes(s)) return false;
    ctx.addIssue({ code: "custom", message: `must be 1 or 0 (true/false), got "${v}"` });
    return z.NEVER;
  });

const url = (protocols: readonly string[]) =>
  optionalText.superRefine((v, ctx) => {
    if (v === undefined) return;
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a URL" });
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      ctx.addIssue({
        code: "custom",
        message: `must start with ${protocols.map((p) => `${p}//`).join(" or ")}`,
      });
    }
  });

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
const webhookSecret = optionalText.refine((v) => v === undefined || isWebhookSecret(v), {
  message:
    "must be a Standard Webhooks secret: whsec_ followed by base64 (try: echo whsec_$(openssl rand -base64 32))",
});

function isIpOrCidr(value: string): boolean {
  const [address = "", bits, extra] = value.split("/");
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Variables whose values must never be echoed back in an error or a log. */
export const secretVariables = new Set([
  "DATABASE_URL",
  "BATON_ADMIN_TOKEN",
  "BATON_SIGNING_KEY",
  "BATON_ENCRYPTION_KEY",
  "SMTP_URL",
  "SLACK_SIGNING_SECRET",
  "SLACK_BOT_TOKEN",
  "LARK_APP_SECRET",
  "LARK_ENCRYPT_KEY",
  "LARK_VERIFICATION_TOKEN",
  "DINGTALK_APP_SECRET",
  "DINGTALK_ALERT_WEBHOOK",
  "DINGTALK_ALERT_SECRET",
  "CONNECTOR_OA_SECRET",
  "CONNECTOR_CRM_SECRET",
  "CONNECTOR_FINANCE_SECRET",
  "TEAMS_APP_PASSWORD",
]);

const envSchema = z.object({
  PORT: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return 8787;
      if (!/^\d+$/.test(v.trim()) || Number(v) < 0 || Number(v) > 65535) {
        ctx.addIssue({ code: "custom", message: `must be a port number from 0 to 65535, got "${v}"` });
        return z.NEVER;
      }
      return Number(v);
    }),
  HOST: optionalText.transform((v) => v ?? "127.0.0.1"),
  DATABASE_URL: url(["postgres:", "postgresql:"]),
  BATON_DATA_DIR: optionalText.transform((v) => path.resolve(v ?? ".data")),
  BATON_KEYS_DIR: optionalText.transform((v) => path.resolve(v ?? ".keys")),
  BATON_BACKUP_DIR: optionalText.transform((v) => path.resolve(v ?? ".backups")),
  BATON_PUBLIC_URL: url(["http:", "https:"]).transform((v) => v?.replace(/\/+$/, "")),
  BATON_TIMEZONE: optionalText
    .transform((v) => v ?? "Asia/Shanghai")
    .refine(isTimeZone, { message: "must be an IANA time zone such as Asia/Shanghai" }),
  BATON_DEMO: flag,
  BATON_ADMIN_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 32, {
    message: "must be at least 32 characters (try: openssl rand -base64 32)",
  }),
  BATON_TRUSTED_PROXIES: list.superRefine((items, ctx) => {
    for (const item of items) {
      if (!isIpOrCidr(item))
        ctx.addIssue({ code: "custom", message: `"${item}" is not an IP address or CIDR range` });
    }
  }),
  BATON_SIGNING_KEY: optionalText.refine(
    (v) => v === undefined || v.includes("-----BEGIN PRIVATE KEY-----"),
    {
      message: "must be an Ed25519 private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)",
    },
  ),
  BATON_ENCRYPTION_KEY: optionalText.refine(
    (v) => v === undefined || (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, "base64").length === 32),
    { message: "must be 32 random bytes in base64 (try: openssl rand -base64 32)" },
  ),
  BATON_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .optional()
    .transform((v) => v ?? "info"),
  BATON_MAX_BODY_BYTES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return 1024 * 1024;
      if (!/^\d+$/.test(v.trim()) || Number(v) < 1024) {
        ctx.addIssue({ code: "custom", message: "must be a whole number of bytes, at least 1024" });
        return z.NEVER;
      }
      return Number(v);
    }),
  SMTP_URL: url(["smtp:", "smtps:"]),
  MAIL_FROM: optionalText,
  BATON_TSA_URL: url(["http:", "https:"]),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_API_URL: url(["http:", "https:"]),
  SLACK_TEAM_IDS: list,
  LARK_APP_ID: optionalText,
  LARK_APP_SECRET: optionalText,
  LARK_ENCRYPT_KEY: optionalText,
  LARK_VERIFICATION_TOKEN: optionalText,
  LARK_DOMAIN: url(["http:", "https:"]),
  LARK_TENANT_KEYS: list,
  /** The Feishu Approval definition (approval_code) whose approved instances are resignations. */
  LARK_RESIGNATION_APPROVAL_CODE: optionalText,
  DINGTALK_APP_KEY: optionalText,
  DINGTALK_APP_SECRET: optionalText,
  DINGTALK_ROBOT_CODE: optionalText,
  DINGTALK_API_URL: url(["http:", "https:"]),
  DINGTALK_CORP_IDS: list,
  DINGTALK_ALERT_WEBHOOK: url(["http:", "https:"]),
  DINGTALK_ALERT_SECRET: optionalText,
  /** Opens DingTalk's Stream mode WebSocket for approval events (adapters/dingtalk/README.md). */
  DINGTALK_STREAM: flag,
  /** The resignation approval template (`processCode`) whose approved instances open a case. */
  DINGTALK_RESIGNATION_PROCESS_CODE: optionalText,
  CONNECTOR_OA_SECRET: webhookSecret,
  CONNECTOR_CRM_URL: url(["http:", "https:"]),
  CONNECTOR_CRM_SECRET: webhookSecret,
  CONNECTOR_FINANCE_URL: url(["http:", "https:"]),
  CONNECTOR_FINANCE_SECRET: webhookSecret,
  TEAMS_APP_ID: optionalText,
  TEAMS_APP_PASSWORD: optionalText,
  TEAMS_TENANT_ID: optionalText,
  TEAMS_ALLOW_UNAUTHENTICATED: flag,
});

type ParsedEnv = z.output<typeof envSchema>;

/** The parsed configuration every entry point works from. */
export type Config = ParsedEnv & {
  database: { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string };
  publicUrl: string;
  /** Demo data and the demo user picker: embedded database on a loopback address, not turned off. */
  demo: boolean;
  listensOnLoopback: boolean;
};

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Parses the environment. Throws ConfigError naming every wrong variable; never echoes a secret. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      const message = secretVariables.has(variable)
        ? issue.message.replace(/"[^"]*"/g, "(hidden)")
        : issue.message;
      return { variable, message };
    });
    throw new ConfigError(problems);
  }
  const parsed = result.data;
  const problems: { variable: string; message: string }[] = [];
  const listensOnLoopback = isLoopbackHost(parsed.HOST);
  const embedded = parsed.DATABASE_URL === undefined;

  if (!embedded) {
    if (!parsed.BATON_SIGNING_KEY)
      problems.push({ variable: "BATON_SIGNING_KEY", message: "is required when DATABASE_URL is set" });
    if (!parsed.BATON_ENCRYPTION_KEY)
      problems.push({ variable: "BATON_ENCRYPTION_KEY", message: "is required when DATABASE_URL is set" });
  }
  for (const [variable, dir] of [
    ["BATON_DATA_DIR", parsed.BATON_DATA_DIR],
    ["BATON_BACKUP_DIR", parsed.BATON_BACKUP_DIR],
  ] as const) {
    if (isInside(parsed.BATON_KEYS_DIR, dir) || isInside(dir, parsed.BATON_KEYS_DIR)) {
      problems.push({
        variable: "BATON_KEYS_DIR",
        message: `must not overlap ${variable} (${dir}): keys never sit next to the data they protect`,
      });
    }
  }
  if (isInside(parsed.BATON_BACKUP_DIR, parsed.BATON_DATA_DIR)) {
    problems.push({ variable: "BATON_BACKUP_DIR", message: "must not be inside BATON_DATA_DIR" });
  }
  if (parsed.TEAMS_ALLOW_UNAUTHENTICATED && !(listensOnLoopback && embedded)) {
    problems.push({
      variable: "TEAMS_ALLOW_UNAUTHENTICATED",
      message: "is only allowed for local testing: HOST must be a loopback address and DATABASE_URL unset",
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const hostForUrl = parsed.HOST.includes(":") ? `[${parsed.HOST}]` : parsed.HOST;
  return {
    ...parsed,
    database: embedded
      ? { kind: "pglite", dataDir: parsed.BATON_DATA_DIR }
      : { kind: "postgres", url: parsed.DATABASE_URL as string },
    publicUrl:
      parsed.BATON_PUBLIC_URL ??
      `http://${hostForUrl === "0.0.0.0" ? "127.0.0.1" : hostForUrl}:${parsed.PORT}`,
    demo: embedded && listensOnLoopback && parsed.BATON_DEMO !== false,
    listensOnLoopback,
  };
}

type SurfaceRequirement = { surface: string; variables: readonly (keyof ParsedEnv)[] };

const surfaceRequirements: readonly SurfaceRequirement[] = [
  { surface: "slack", variables: ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_TEAM_IDS"] },
  {
    surface: "lark",
    variables: [
      "LARK_APP_ID",
      "LARK_APP_SECRET",
      "LARK_ENCRYPT_KEY",
      "LARK_VERIFICATION_TOKEN",
      "LARK_TENANT_KEYS",
    ],
  },
  {
    surface: "dingtalk",
    variables: ["DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "DINGTALK_ROBOT_CODE", "DINGTALK_CORP_IDS"],
  },
  { surface: "teams", variables: ["TEAMS_APP_ID"] },
  { surface: "email", variables: ["SMTP_URL", "MAIL_FROM"] },
  { surface: "connector:oa", variables: ["CONNECTOR_OA_SECRET"] },
  { surface: "connector:crm", variables: ["CONNECTOR_CRM_URL", "CONNECTOR_CRM_SECRET"] },
  { surface: "connector:finance", variables: ["CONNECTOR_FINANCE_URL", "CONNECTOR_FINANCE_SECRET"] },
  { surface: "timestamps", variables: ["BATON_TSA_URL"] },
];

export type SurfaceStatus = { surface: string; enabled: boolean; missing: string[] };

/** Which surfaces are on, and for those that are off, which variables would turn them on. */
export function surfaceStatus(config: Config): SurfaceStatus[] {
  return surfaceRequirements.map(({ surface, variables }) => {
    const missing = variables
      .filter((v) => {
        const value = config[v];
        return value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
      })
      .map(String);
    if (surface === "teams" && config.TEAMS_ALLOW_UNAUTHENTICATED)
      return { surface, enabled: true, missing: [] };
    // A Teams bot is single-tenant: the password gets its outbound token, the tenant id both that
    // token and the allow-list of who may call in (adapters/teams/README.md).
    if (surface === "teams" && config.TEAMS_APP_ID && (!config.TEAMS_APP_PASSWORD || !config.TEAMS_TENANT_ID))
      return {
        surface,
        enabled: false,
        missing: (["TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID"] as const).filter((v) => !config[v]),
      };
    return { surface, enabled: missing.length === 0, missing };
  });
}

export function isSurfaceEnabled(config: Config, surface: string): boolean {
  return surfaceStatus(config).some((s) => s.surface === surface && s.enabled);
}
