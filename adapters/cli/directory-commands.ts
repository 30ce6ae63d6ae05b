import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../http/config.ts";
import { expectOk, withApi } from "./api.ts";
import { CliError, type Command } from "./args.ts";
import { type CliIo, Progress, printJson, type Target } from "./context.ts";

type ImportReport = { rows: number; created: number; updated: number; unchanged: number };

export async function importEmployeesCommand(
  command: Extract<Command, { name: "import employees" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const file = path.resolve(command.file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT" ? `No file at ${file}.` : `Cannot read ${file}: ${code ?? String(error)}`,
    );
  }
  const progress = new Progress(target.kind === "server" ? 3 : 4, io);
  progress.step(`read ${file} (${text.split(/\r?\n/).filter((l) => l.trim()).length - 1} data rows)`);
  const report = await withApi(config, target, progress, async (api) => {
    progress.step("checking every row, then importing them in one transaction");
    return expectOk<ImportReport>(
      await api("POST", "/api/v1/employees/import", { text, contentType: "text/csv" }),
    );
  });
  if (command.json) return printJson(io, report);
  io.stdout(
    `Imported ${report.rows} row(s): ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged.\n`,
  );
}

export async function loginLinkCommand(
  command: Extract<Command, { name: "login-link" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  if (command.email) return loginLinkEmailCommand(command, config, target, io);
  const link = await withApi(config, target, undefined, async (api) =>
    expectOk<{ url: string; expiresAt: string }>(
      await api("POST", `/api/v1/employees/${encodeURIComponent(command.employee)}/login-link`, {
        json: { ttlSeconds: command.ttlMinutes * 60, ...(command.next ? { next: command.next } : {}) },
      }),
    ),
  );
  if (command.json) return printJson(io, link);
  io.stdout(`${link.url}\n`);
  io.stderr(
    `One-time login link for ${command.employee}, valid until ${link.expiresAt}. Send it to them only.\n`,
  );
}

/** `baton login-link EMPLOYEE --email`: the link goes to the employee's personal e-mail, never to the terminal. */
async function loginLinkEmailCommand(
  command: Extract<Command, { name: "login-link" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const sent = await withApi(config, target, undefined, async (api) =>
    expectOk<{ status: string; channel: string; deliveryId: number; expiresAt: string }>(
      await api("POST", `/api/v1/employees/${encodeURIComponent(command.employee)}/login-link/email`, {
        json: { ttlSeconds: command.ttlMinutes * 60, ...(command.next ? { next: command.next } : {}) },
      }),
    ),
  );
  if (command.json) return printJson(io, sent);
  io.stdout(
    `Mailed a one-time login link to ${command.employee}'s personal e-mail, valid until ${sent.expiresAt}.\n`,
  );
}
