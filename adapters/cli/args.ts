import { parseArgs } from "node:util";
import { isPrincipal } from "../../core/access/principal.ts";
import { isKnownScope, knownScopes } from "../../core/access/scopes.ts";
import type { ExportEvidenceCommand, VerifyBundleCommand } from "./agreement-commands.ts";
import type { CaseCommand, CasesCommand } from "./case-commands.ts";
import type { CertificateCommand } from "./certificate-commands.ts";
import type { LintCommand } from "./lint-commands.ts";
import type { NotificationsCommand } from "./notifications-commands.ts";
import type { ImportCourseCommand } from "./training-commands.ts";

/** A mistake in how the command was called: exit code 2, one line on stderr. */
export class UsageError extends Error {
  /** The command it is about, when known: the line reads `baton <command>: <message>`. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** An expected failure of a command: exit code 1, its message on stderr, no stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

export type Command =
  | { name: "help"; topic: HelpTopic }
  | { name: "status" | "migrate" | "seed" | "backup" | "api-key list"; json: boolean }
  | { name: "api-key create"; json: boolean; input: { name: string; principal: string; scopes: string[] } }
  | { name: "api-key revoke"; json: boolean; id: string }
  | { name: "restore"; json: boolean; file: string; yes: boolean }
  | { name: "import employees"; json: boolean; file: string }
  | {
      name: "login-link";
      json: boolean;
      employee: string;
      ttlMinutes: number;
      next?: string;
      email?: boolean;
    }
  | {
      name: "calendar set";
      json: boolean;
      date: string;
      kind: "work" | "rest";
      region: string;
      reason: string;
    }
  | { name: "calendar unset"; json: boolean; date: string; region: string }
  | { name: "calendar status"; json: boolean }
  | { name: "calendar confirm"; json: boolean; year: number; region: string; basis: string }
  | { name: "verify"; json: boolean; audit: true }
  | { name: "keys rotate"; json: boolean; yes: boolean }
  | CasesCommand
  | CaseCommand
  | CertificateCommand
  | ExportEvidenceCommand
  | VerifyBundleCommand
  | LintCommand
  | ImportCourseCommand
  | NotificationsCommand;

const usageLine = "Usage: baton <command> [options]";

const helpTexts = {
  general: `${usageLine}

Commands:
  status                      Show the database, its migrations, demo mode and which surfaces are on
  migrate                     Apply pending database migrations (a backup first when there is data)
  seed                        Load the demo data (embedded demo installations only)
  api-key create --name NAME --principal PRINCIPAL --scopes SCOPE[,SCOPE...]
                              Create an API key; the key is shown once
  api-key list                List API keys (never their secrets)
  api-key revoke ID           Revoke an API key
  backup                      Write a backup of the database into BATON_BACKUP_DIR
  restore FILE [--yes]        Replace the database with a backup
  import employees FILE.csv   Import employees from CSV: all rows or none
  login-link EMPLOYEE         Make a one-time login link for an employee
  calendar set DATE work|rest --reason TEXT   Override the business calendar on a day
  calendar unset DATE         Remove an override
  calendar status             Which years have the official holiday schedule, which are provisional
  calendar confirm YEAR --basis TEXT   Confirm a provisional year's schedule, entered as overrides
  verify --audit              Recompute the evidence chain and name the first broken entry
  keys rotate [--yes]         Make a new signing key (embedded keys); old signatures still verify
  cases [--status S] [--employee ID]   List offboarding cases (default: the running ones)
  case CASE_ID                Show a case with its dates and steps
  certificate show|issue|revoke|pdf ...   The separation certificate of a case
  export evidence SIGNATURE_ID [--out FILE]   Write a signature's evidence bundle
  verify BUNDLE.json --key FINGERPRINT   Check an evidence bundle offline against a pinned key
  lint FILE [--lang zh-CN|en] Check an agreement or template's terms against the labour law
  import course FOLDER        Import a training course folder (a new version when it changed)
  channels list|bind|unbind   HR and finance group channels that alerts and digests go to
  outbox dead|retry           Messages that could not be delivered; send one again
  tick                        Run the scheduler's jobs now (reminders, digests, alerts)
  help [COMMAND]              Show this help, or a command's help

Options:
  --json                      Print the result as JSON
  -h, --help                  Show help for a command

The configuration comes from the environment, as for the server (BATON_DATA_DIR, DATABASE_URL, ...).
With the embedded database (DATABASE_URL unset) and a Baton server running on the same
BATON_DATA_DIR, status, seed, backup and api-key go through that server's admin API;
restore needs the server stopped.
Exit codes: 0 done, 1 failed, 2 wrong usage.`,
  status: `Usage: baton status [--json]

Shows the database (embedded or PostgreSQL), applied and pending migrations, whether this is a
demo installation, and which surfaces are on (and which variables turn the others on).
Does not change anything: pending migrations stay pending.`,
  migrate: `Usage: baton migrate [--json]

Applies pending database migrations. When the database already holds data, a backup is
written into BATON_BACKUP_DIR first. With PostgreSQL an advisory lock makes concurrent runs
(and starting servers) wait for each other. When a server holds the embedded database it has
already applied the migrations at start; the command then shows their state.`,
  seed: `Usage: baton seed [--json]

Loads the demo data not loaded yet (idempotent). Only for an embedded database installed as a
demo one (HOST on a loopback address, BATON_DEMO not 0); never with DATABASE_URL.`,
  "api-key": `Usage: baton api-key <create|list|revoke> ...

  api-key create --name NAME --principal PRINCIPAL --scopes SCOPE[,SCOPE...] [--json]
  api-key list [--json]
  api-key revoke ID [--json]

Run baton api-key <subcommand> --help for details.`,
  "api-key create": `Usage: baton api-key create --name NAME --principal PRINCIPAL --scopes SCOPE[,SCOPE...] [--json]

Creates an API key and prints it once: it cannot be shown again (only its hash is stored).
  --name NAME            What the key is for (1 to 100 characters)
  --principal PRINCIPAL  Who acts with it: employee:ID, system:NAME or test:NAME
  --scopes LIST          Comma-separated scopes: ${knownScopes.join(", ")}`,
  "api-key list": `Usage: baton api-key list [--json]

Lists API keys: id, name, principal, scopes, when created and last used, and whether revoked.
Never shows a key's secret.`,
  "api-key revoke": `Usage: baton api-key revoke ID [--json]

Revokes the live API key with that id (see baton api-key list); it stops working at once.`,
  backup: `Usage: baton backup [--json]

Writes a backup of the whole database into BATON_BACKUP_DIR: a .tar.gz of the embedded
database, or a pg_dump file (.dump) with PostgreSQL (needs pg_dump on the PATH).
Keys are never part of a backup: keep BATON_KEYS_DIR (or your key variables) safe separately.`,
  restore: `Usage: baton restore FILE [--yes]

Replaces the database with a backup made by baton backup.
  Embedded database: the server must be stopped; the current database is moved aside inside
  BATON_DATA_DIR, not deleted. --yes is required unless the data folder is empty.
  PostgreSQL (DATABASE_URL set): restores with pg_restore in one transaction, replacing Baton's
  tables. Stop every Baton server that uses the database first. --yes is required.
The keys in use must be those that were in use when the backup was made.`,
  import: `Usage: baton import employees FILE.csv [--json]

Imports employees from a CSV file with a header row. Columns (externalId and name required):
  externalId, name, email, personalEmail, idNumber, bankAccount, locale (zh-CN|en),
  jurisdiction (CN), timeZone, entity, department, role, position, managerExternalId,
  functions (hr;finance), status (active|deactivated|left), hireDate, serviceStartDate,
  probationEndDate, contractType (fixed|open-ended|task), contractStartDate, contractEndDate,
  slack, lark, dingtalk, teams (platform user ids)
Every row is checked first; if any row is bad, each is reported with its line number and
nothing is imported. Managers may be in the file or already in the directory. Existing
employees are updated; empty cells leave personal fields as they are.`,
  "import employees": `Usage: baton import employees FILE.csv [--json]

See baton help import for the columns.`,
  "login-link": `Usage: baton login-link EMPLOYEE [--ttl MINUTES] [--next PATH] [--email] [--json]

Prints a one-time login link for an active employee (their externalId). Opening it shows a page;
pressing the button signs them in on that device. The link expires after --ttl minutes
(default 15, at most 44640 = 31 days). --next is a path on this site to go to afterwards.
Send it only to that person: whoever opens it first is signed in as them.
--email mails the link to the employee's personal e-mail instead of printing it (needs SMTP_URL
and MAIL_FROM; at most 3 login e-mails per employee per hour).`,
  calendar: `Usage: baton calendar <set|unset|status> ...

  calendar set DATE work|rest --reason TEXT [--region CN] [--json]
  calendar unset DATE [--region CN] [--json]
  calendar status [--json]
  calendar confirm YEAR --basis TEXT [--region CN] [--json]`,
  "calendar confirm": `Usage: baton calendar confirm YEAR --basis TEXT [--region CN] [--json]

For a provisional year (Baton does not ship its State Council schedule yet): once HR has entered
the schedule as overrides — each rest day of the holiday blocks with calendar set DATE rest, each
make-up working day with calendar set DATE work — confirm the year, naming the notice
(--basis "国办发明电〔2026〕…号"). Answers from that year are then no longer marked provisional.
The confirmation and the days it covered are recorded in the evidence chain.`,
  "calendar set": `Usage: baton calendar set DATE work|rest --reason TEXT [--region CN] [--json]

Overrides the business calendar on DATE (YYYY-MM-DD): "rest" makes it a day off (a company rest
day, or a holiday missing from a provisional year), "work" a working day. Baton's own deadlines
use it; the legal dates of the Labor Contract Law count calendar days and are not moved.`,
  "calendar unset": `Usage: baton calendar unset DATE [--region CN] [--json]

Removes the override on DATE.`,
  "calendar status": `Usage: baton calendar status [--json]

Shows, for this year and next, whether the official State Council holiday schedule is known or
the year is provisional (fixed statutory holidays only) and needs the schedule entered.`,
  verify: `Usage: baton verify --audit [--json]
       baton verify BUNDLE.json --key FINGERPRINT [--key FINGERPRINT] [--json]

--audit recomputes the whole evidence chain from the database and says whether it is intact; if
not, it names the first broken entry. With a bundle file, checks it offline — the signature against
the pinned key fingerprint(s) (SHA-256 of the raw Ed25519 key, hex; take it from a copy you trust,
never from the bundle), the text, the record and the chain segment — and names what was changed.
Exit code 1 when anything fails.`,
  keys: `Usage: baton keys rotate [--yes] [--json]`,
  cases: `Usage: baton cases [--status open|on-hold|closed|withdrawn|active|all] [--employee ID] [--json]

Lists offboarding cases, one a line: id, employee, separation type, last day, status and the
earliest open step. Default: the running cases (open and on hold).`,
  case: `Usage: baton case CASE_ID [--json]

Shows a case: its separation type, notice date, legal and planned last days, and each step with
its owner, status, start, due date and completion.`,
  certificate: `Usage: baton certificate <show|issue|revoke|pdf> ...

  certificate show CASE_ID [--json]
  certificate issue CASE_ID --years-confirmed [--json]
  certificate revoke CERTIFICATE_ID --reason TEXT [--json]
  certificate pdf CERTIFICATE_ID --out FILE`,
  "certificate show": `Usage: baton certificate show CASE_ID [--json]

Shows the separation certificate of a case: the draft HR reviews (with the computed years of
service and anything still to enter) and every version issued.`,
  "certificate issue": `Usage: baton certificate issue CASE_ID --years-confirmed [--json]

Issues the separation certificate (LCL Art. 50), on the last day or after. --years-confirmed says
HR reviewed the years of service shown by certificate show. Nothing else gates it.`,
  "certificate revoke": `Usage: baton certificate revoke CERTIFICATE_ID --reason TEXT [--json]

Revokes a certificate (a correction): its /verify page then says revoked; issue again for version 2.`,
  "certificate pdf": `Usage: baton certificate pdf CERTIFICATE_ID --out FILE

Writes the PDF as delivered to FILE.`,
  export: `Usage: baton export evidence SIGNATURE_ID [--out FILE] [--json]`,
  "export evidence": `Usage: baton export evidence SIGNATURE_ID [--out FILE] [--json]

Writes the evidence bundle of a signature (default evidence-<id>.json): the agreement text, the
signed record, Baton's public key and the chain segment, other people's entries reduced to hashes.
Check it anywhere with baton verify FILE --key FINGERPRINT.`,
  channels: `Usage: baton channels <list|bind|unbind> ...

  channels list [--purpose hr|finance] [--json]
  channels bind PLATFORM CHANNEL_ID --purpose hr|finance [--entity ID] [--name TEXT] [--json]
  channels unbind ID [--json]

A bound HR channel receives alerts and the daily digest (with the audit chain head); leave out
--entity for a channel that hears about every entity.`,
  "channels list": `Usage: baton channels list [--purpose hr|finance] [--json]`,
  "channels bind": `Usage: baton channels bind PLATFORM CHANNEL_ID --purpose hr|finance [--entity ID] [--name TEXT] [--json]

PLATFORM is slack, lark, dingtalk, teams or web; CHANNEL_ID the platform's id of the group chat.`,
  "channels unbind": `Usage: baton channels unbind ID [--json]`,
  outbox: `Usage: baton outbox <dead|retry> ...

  outbox dead [--limit N] [--json]   messages that failed every try (dead letters)
  outbox retry ID [--json]           send a dead message again`,
  "outbox dead": `Usage: baton outbox dead [--limit N] [--json]`,
  "outbox retry": `Usage: baton outbox retry ID [--json]`,
  tick: `Usage: baton tick [--json]

Runs the scheduler's jobs once now, as the server does every minute, and reports each job.`,
  lint: `Usage: baton lint FILE [--lang zh-CN|en] [--json]

Checks the structured terms (YAML front matter) of an agreement or template, and warns on its text:
each finding names the article it breaks. Exit code 1 when there are errors.`,
  "import course": `Usage: baton import course FOLDER [--json]

Imports a course folder: course.yaml, lessons/*.md and the question pool. Problems are reported
with their file and line, and nothing is imported; changed content becomes a new version.`,
  "keys rotate": `Usage: baton keys rotate [--yes] [--json]

For keys generated into BATON_KEYS_DIR (embedded database): makes a new Ed25519 signing key and
moves the old one to BATON_KEYS_DIR/retired/. Signatures made with the old key still verify: its
public key stays in /.well-known/jwks.json. Stop the server first; --yes to go ahead. With
BATON_SIGNING_KEY set, rotate by setting a new value instead (see the README).`,
} as const;

export type HelpTopic = keyof typeof helpTexts;

export function helpText(topic: HelpTopic): string {
  return helpTexts[topic];
}

function isHelpTopic(value: string): value is HelpTopic {
  return Object.hasOwn(helpTexts, value);
}

const options = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  yes: { type: "boolean", short: "y" },
  name: { type: "string" },
  principal: { type: "string" },
  scopes: { type: "string" },
  ttl: { type: "string" },
  next: { type: "string" },
  email: { type: "boolean" },
  region: { type: "string" },
  reason: { type: "string" },
  audit: { type: "boolean" },
  basis: { type: "string" },
  status: { type: "string" },
  employee: { type: "string" },
  out: { type: "string" },
  key: { type: "string", multiple: true },
  lang: { type: "string" },
  "years-confirmed": { type: "boolean" },
  purpose: { type: "string" },
  entity: { type: "string" },
  limit: { type: "string" },
} as const;

type OptionName = keyof typeof options;

const allowedOptions: Record<Exclude<Command["name"], "help" | "verify bundle">, readonly OptionName[]> = {
  status: ["json", "help"],
  migrate: ["json", "help"],
  seed: ["json", "help"],
  backup: ["json", "help"],
  "api-key list": ["json", "help"],
  "api-key revoke": ["json", "help"],
  "api-key create": ["json", "help", "name", "principal", "scopes"],
  restore: ["json", "help", "yes"],
  "import employees": ["json", "help"],
  "login-link": ["json", "help", "ttl", "next", "email"],
  "calendar set": ["json", "help", "region", "reason"],
  "calendar unset": ["json", "help", "region"],
  "calendar status": ["json", "help"],
  "calendar confirm": ["json", "help", "region", "basis"],
  verify: ["json", "help", "audit", "key"],
  cases: ["json", "help", "status", "employee"],
  case: ["json", "help"],
  "certificate show": ["json", "help"],
  "certificate issue": ["json", "help", "years-confirmed"],
  "certificate revoke": ["json", "help", "reason"],
  "certificate pdf": ["json", "help", "out"],
  "export evidence": ["json", "help", "out"],
  lint: ["json", "help", "lang"],
  "import course": ["json", "help"],
  "channels list": ["json", "help", "purpose"],
  "channels bind": ["json", "help", "purpose", "entity", "name"],
  "channels unbind": ["json", "help"],
  "outbox dead": ["json", "help", "limit"],
  "outbox retry": ["json", "help"],
  tick: ["json", "help"],
  "keys rotate": ["json", "help", "yes"],
};

const commandList =
  "status, migrate, seed, api-key, backup, restore, import, login-link, calendar, verify, keys, cases, case, certificate, export, lint, channels, outbox, tick, help";

/** Commands written `baton <group> <sub>`, with the subcommands each group has. */
const groups: Record<string, readonly string[]> = {
  "api-key": ["create", "list", "revoke"],
  import: ["employees", "course"],
  certificate: ["show", "issue", "revoke", "pdf"],
  export: ["evidence"],
  channels: ["list", "bind", "unbind"],
  outbox: ["dead", "retry"],
  calendar: ["set", "unset", "status", "confirm"],
  keys: ["rotate"],
};

function parseError(error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const option = /'([^']+)'/.exec(message)?.[1] ?? "";
    return new UsageError(`unknown option ${option}`.trim());
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    return new UsageError(option ? `${option} needs a value` : message);
  }
  return new UsageError(message.split("\n")[0] ?? message);
}

function readArgs(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw parseError(error);
  }
}

/** Reads the command line. Throws UsageError for anything that is not a valid call. */
export function parseCommandLine(argv: readonly string[]): Command {
  const { values, positionals, tokens } = readArgs(argv);
  const [first, ...rest] = positionals;

  if (first === undefined) {
    if (values.help) return { name: "help", topic: "general" };
    throw new UsageError(`missing command; one of ${commandList} (run baton help)`);
  }
  if (first === "help") {
    const topic = rest.join(" ") || "general";
    if (!isHelpTopic(topic)) throw new UsageError(`no help for "${topic}"; commands: ${commandList}`);
    return { name: "help", topic };
  }

  let name: Exclude<Command["name"], "help" | "verify bundle">;
  let operands: string[];
  const group = groups[first];
  if (group) {
    const [sub, ...more] = rest;
    const choices = group.join(", ");
    if (sub === undefined) {
      if (values.help) return { name: "help", topic: first as HelpTopic };
      throw new UsageError(`needs a subcommand: ${choices}`, first);
    }
    if (!group.includes(sub)) throw new UsageError(`unknown subcommand "${sub}"; use ${choices}`, first);
    name = `${first} ${sub}` as typeof name;
    operands = more;
  } else if (
    first === "status" ||
    first === "migrate" ||
    first === "seed" ||
    first === "backup" ||
    first === "restore" ||
    first === "login-link" ||
    first === "verify" ||
    first === "cases" ||
    first === "case" ||
    first === "lint" ||
    first === "tick"
  ) {
    name = first;
    operands = rest;
  } else {
    throw new UsageError(`unknown command "${first}"; commands: ${commandList}`);
  }

  if (values.help) return { name: "help", topic: name };

  const allowed = allowedOptions[name];
  for (const token of tokens) {
    if (token.kind === "option" && !(allowed as readonly string[]).includes(token.name)) {
      throw new UsageError(`does not take ${token.rawName} (see baton ${name} --help)`, name);
    }
  }
  const json = values.json === true;
  const expectOperands = (count: number, what: string) => {
    if (operands.length < count) throw new UsageError(`needs ${what} (see baton ${name} --help)`, name);
    if (operands.length > count) {
      throw new UsageError(`unexpected argument "${operands[count]}" (see baton ${name} --help)`, name);
    }
  };

  switch (name) {
    case "api-key create": {
      expectOperands(0, "");
      for (const required of ["name", "principal", "scopes"] as const) {
        if (values[required] === undefined || values[required].trim() === "") {
          throw new UsageError(`needs --${required} (see baton api-key create --help)`, name);
        }
      }
      const principal = (values.principal ?? "").trim();
      if (!isPrincipal(principal)) {
        throw new UsageError(
          `--principal must look like employee:ID, system:NAME or test:NAME, got "${principal}"`,
          name,
        );
      }
      const scopes = (values.scopes ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (scopes.length === 0) throw new UsageError("--scopes needs at least one scope", name);
      const unknown = scopes.find((s) => !isKnownScope(s));
      if (unknown !== undefined) {
        throw new UsageError(`unknown scope "${unknown}"; known scopes: ${knownScopes.join(", ")}`, name);
      }
      return { name, json, input: { name: (values.name ?? "").trim(), principal, scopes } };
    }
    case "api-key revoke":
      expectOperands(1, "the id of the key to revoke");
      return { name, json, id: operands[0] as string };
    case "restore":
      expectOperands(1, "the backup FILE to restore");
      return { name, json, file: operands[0] as string, yes: values.yes === true };
    case "import employees":
      expectOperands(1, "the CSV FILE to import");
      return { name, json, file: operands[0] as string };
    case "login-link": {
      expectOperands(1, "the EMPLOYEE (their externalId)");
      const ttl = values.ttl === undefined ? 15 : Number(values.ttl);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 44640) {
        throw new UsageError("--ttl must be a whole number of minutes from 1 to 44640", name);
      }
      return {
        name,
        json,
        employee: operands[0] as string,
        ttlMinutes: ttl,
        ...(values.next ? { next: values.next } : {}),
        ...(values.email === true ? { email: true } : {}),
      };
    }
    case "calendar set": {
      expectOperands(2, "DATE and work or rest");
      const [date, kind] = operands as [string, string];
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new UsageError(`DATE must be YYYY-MM-DD, got "${date}"`, name);
      if (kind !== "work" && kind !== "rest")
        throw new UsageError(`the day must be work or rest, got "${kind}"`, name);
      const reason = (values.reason ?? "").trim();
      if (!reason) throw new UsageError("needs --reason (why the day changes; it is recorded)", name);
      return { name, json, date, kind, region: values.region ?? "CN", reason };
    }
    case "calendar unset": {
      expectOperands(1, "the DATE");
      const date = operands[0] as string;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new UsageError(`DATE must be YYYY-MM-DD, got "${date}"`, name);
      return { name, json, date, region: values.region ?? "CN" };
    }
    case "calendar confirm": {
      expectOperands(1, "the YEAR");
      const year = operands[0] as string;
      if (!/^\d{4}$/.test(year)) throw new UsageError(`YEAR must be four digits, got "${year}"`, name);
      const basis = (values.basis ?? "").trim();
      if (!basis)
        throw new UsageError("needs --basis (the notice the schedule comes from; it is recorded)", name);
      return { name, json, year: Number(year), region: values.region ?? "CN", basis };
    }
    case "verify": {
      if (values.audit === true) {
        expectOperands(0, "");
        if (values.key) throw new UsageError("--audit takes no --key", name);
        return { name, json, audit: true };
      }
      expectOperands(1, "--audit, or a BUNDLE file with --key FINGERPRINT");
      const keys = (values.key ?? []).map((k) => k.trim().toLowerCase());
      if (keys.length === 0) {
        throw new UsageError(
          "needs --key FINGERPRINT: the pinned key, from a copy you trust (see baton verify --help)",
          name,
        );
      }
      const bad = keys.find((k) => !/^[0-9a-f]{64}$/.test(k));
      if (bad !== undefined)
        throw new UsageError(`--key must be 64 hex characters (SHA-256), got "${bad}"`, name);
      return { name: "verify bundle", json, file: operands[0] as string, keys };
    }
    case "cases": {
      expectOperands(0, "");
      const statuses = ["open", "on-hold", "closed", "withdrawn", "active", "all"];
      if (values.status !== undefined && !statuses.includes(values.status)) {
        throw new UsageError(`--status must be one of ${statuses.join(", ")}`, name);
      }
      return {
        name,
        json,
        ...(values.status ? { status: values.status } : {}),
        ...(values.employee ? { employee: values.employee } : {}),
      };
    }
    case "case":
      expectOperands(1, "the CASE_ID");
      return { name, json, id: operands[0] as string };
    case "certificate show":
      expectOperands(1, "the CASE_ID");
      return { name, json, caseId: operands[0] as string };
    case "certificate issue":
      expectOperands(1, "the CASE_ID");
      if (values["years-confirmed"] !== true) {
        throw new UsageError(
          "needs --years-confirmed (review the years of service with certificate show first)",
          name,
        );
      }
      return { name, json, caseId: operands[0] as string, yearsConfirmed: true };
    case "certificate revoke": {
      expectOperands(1, "the CERTIFICATE_ID");
      const reason = (values.reason ?? "").trim();
      if (!reason) throw new UsageError("needs --reason (why it is corrected; it is recorded)", name);
      return { name, json, certificateId: operands[0] as string, reason };
    }
    case "certificate pdf":
      expectOperands(1, "the CERTIFICATE_ID");
      if (!values.out) throw new UsageError("needs --out FILE", name);
      return { name, json, certificateId: operands[0] as string, out: values.out };
    case "export evidence":
      expectOperands(1, "the SIGNATURE_ID");
      return { name, json, id: operands[0] as string, ...(values.out ? { out: values.out } : {}) };
    case "lint": {
      expectOperands(1, "the FILE to check");
      if (values.lang !== undefined && values.lang !== "zh-CN" && values.lang !== "en") {
        throw new UsageError("--lang must be zh-CN or en", name);
      }
      return { name, json, file: operands[0] as string, ...(values.lang ? { lang: values.lang } : {}) };
    }
    case "import course":
      expectOperands(1, "the course FOLDER");
      return { name, json, folder: operands[0] as string };
    case "channels list": {
      expectOperands(0, "");
      const purpose = values.purpose;
      if (purpose !== undefined && purpose !== "hr" && purpose !== "finance") {
        throw new UsageError("--purpose must be hr or finance", name);
      }
      return { name, json, ...(purpose ? { purpose } : {}) };
    }
    case "channels bind": {
      expectOperands(2, "PLATFORM and CHANNEL_ID");
      if (values.purpose !== "hr" && values.purpose !== "finance") {
        throw new UsageError("needs --purpose hr or --purpose finance", name);
      }
      return {
        name,
        json,
        platform: operands[0] as string,
        channelId: operands[1] as string,
        purpose: values.purpose,
        ...(values.entity ? { entity: values.entity } : {}),
        ...(values.name ? { channelName: values.name } : {}),
      };
    }
    case "channels unbind":
      expectOperands(1, "the channel ID (see baton channels list)");
      return { name, json, id: operands[0] as string };
    case "outbox dead": {
      expectOperands(0, "");
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
        throw new UsageError("--limit must be a whole number from 1 to 1000", name);
      }
      return { name, json, ...(limit !== undefined ? { limit } : {}) };
    }
    case "outbox retry":
      expectOperands(1, "the message ID (see baton outbox dead)");
      return { name, json, id: operands[0] as string };
    case "keys rotate":
      expectOperands(0, "");
      return { name, json, yes: values.yes === true };
    default:
      expectOperands(0, "");
      return { name, json };
  }
}
