import { parseArgs } from "node:util";
import { isPrincipal } from "../../core/access/principal.ts";
import { isKnownScope, knownScopes } from "../../core/access/scopes.ts";

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
  | { name: "restore"; json: boolean; file: string; yes: boolean };

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
} as const;

type OptionName = keyof typeof options;

const allowedOptions: Record<Exclude<Command["name"], "help">, readonly OptionName[]> = {
  status: ["json", "help"],
  migrate: ["json", "help"],
  seed: ["json", "help"],
  backup: ["json", "help"],
  "api-key list": ["json", "help"],
  "api-key revoke": ["json", "help"],
  "api-key create": ["json", "help", "name", "principal", "scopes"],
  restore: ["json", "help", "yes"],
};

const commandList = "status, migrate, seed, api-key, backup, restore, help";

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

  let name: Exclude<Command["name"], "help">;
  let operands: string[];
  if (first === "api-key") {
    const [sub, ...more] = rest;
    if (sub === undefined) {
      if (values.help) return { name: "help", topic: "api-key" };
      throw new UsageError("needs a subcommand: create, list or revoke", "api-key");
    }
    if (sub !== "create" && sub !== "list" && sub !== "revoke") {
      throw new UsageError(`unknown subcommand "${sub}"; use create, list or revoke`, "api-key");
    }
    name = `api-key ${sub}`;
    operands = more;
  } else if (
    first === "status" ||
    first === "migrate" ||
    first === "seed" ||
    first === "backup" ||
    first === "restore"
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
    default:
      expectOperands(0, "");
      return { name, json };
  }
}
