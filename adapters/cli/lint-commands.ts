import { readFile } from "node:fs/promises";
import path from "node:path";
import { type PresentedFinding, presentFinding } from "../../core/compliance/linter.ts";
import type { Locale } from "../../core/messages/index.ts";
import { lintMarkdown } from "../shared/lint-document.ts";
import { CliError } from "./args.ts";
import { type CliIo, printJson } from "./context.ts";

/** `baton lint FILE [--lang zh-CN|en] [--json]` */
export type LintCommand = { name: "lint"; file: string; lang?: Locale; json: boolean };

function line(file: string, finding: PresentedFinding): string {
  const where = `${file}${finding.line === undefined ? "" : `:${finding.line}`}`;
  const article = finding.article ? ` [${finding.article}]` : "";
  const field = finding.path === "body" ? "" : ` (${finding.path})`;
  return `${where}: ${finding.severity} ${finding.code}${article}: ${finding.message}${field}`;
}

/**
 * Lints an agreement or template file (Markdown with YAML front matter) with the same linter as
 * `POST /api/v1/lint`. It needs no database, so it runs in-process — in CI, or with the server
 * stopped — and never takes the data folder. Exit 1 when there is an error finding.
 */
export async function lintCommand(command: LintCommand, io: CliIo): Promise<void> {
  const file = path.resolve(command.file);
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === "ENOENT" ? `No file at ${file}.` : `Cannot read ${file}: ${code ?? String(error)}`,
    );
  }
  const result = lintMarkdown(source);
  const findings = result.findings.map((f) => presentFinding(f, command.lang ?? "en"));
  if (command.json) {
    printJson(io, { file, ok: result.ok, errors: result.errors, warnings: result.warnings, findings });
  } else {
    for (const finding of findings) io.stdout(`${line(command.file, finding)}\n`);
    io.stdout(
      `${command.file}: ${result.errors} error${result.errors === 1 ? "" : "s"}, ${result.warnings} warning${
        result.warnings === 1 ? "" : "s"
      }\n`,
    );
  }
  if (!result.ok) {
    throw new CliError(
      `${result.errors} error${result.errors === 1 ? "" : "s"} in ${command.file}; fix them before publishing.`,
    );
  }
}
