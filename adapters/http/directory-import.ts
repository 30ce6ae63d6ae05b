import { CsvError, parse } from "csv-parse/sync";
import {
  type EmployeeInput,
  employeeInput,
  employeeInputProblems,
} from "../../core/directory/employee-input.ts";
import { managersFirst } from "../../core/directory/manager-chain.ts";
import { AppError, isAppError } from "../../core/errors.ts";
import type { Database, Db } from "../../db/client.ts";
import { existingExternalIds, upsertEmployee } from "../../db/repositories/directory.ts";
import type { MasterKey } from "../../db/sealing.ts";

/** The columns an employee CSV may have; `externalId` and `name` are required. */
export const importColumns = [
  "externalId",
  "name",
  "email",
  "personalEmail",
  "idNumber",
  "bankAccount",
  "locale",
  "jurisdiction",
  "timeZone",
  "entity",
  "department",
  "role",
  "position",
  "managerExternalId",
  "functions",
  "status",
  "hireDate",
  "serviceStartDate",
  "probationEndDate",
  "contractType",
  "contractStartDate",
  "contractEndDate",
  "slack",
  "lark",
  "dingtalk",
  "teams",
] as const;

const identityColumns = ["slack", "lark", "dingtalk", "teams"] as const;

export type RowProblem = { line: number; externalId?: string; reason: string };
type ParsedRow = { line: number; externalId: string; input: EmployeeInput };

export class ImportRejected extends AppError {
  readonly problems: RowProblem[];
  constructor(problems: RowProblem[]) {
    super("unprocessable", `The file has ${problems.length} bad row(s); nothing was imported.`, {
      details: problems,
    });
    this.problems = problems;
  }
}

function toInput(record: Record<string, string>): unknown {
  const body: Record<string, unknown> = {};
  const identities: Record<string, string> = {};
  for (const [column, raw] of Object.entries(record)) {
    const value = raw.trim();
    if (value === "" || column === "externalId") continue;
    if ((identityColumns as readonly string[]).includes(column)) identities[column] = value;
    else if (column === "functions")
      body.functions = value
        .split(/[;|]/)
        .map((f) => f.trim())
        .filter(Boolean);
    else body[column] = value;
  }
  body.identities = identities;
  return body;
}

/** Reads and checks every row; throws ImportRejected listing each bad row, or returns them all. */
export function parseEmployeeCsv(text: string): ParsedRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, info: true, bom: true, skip_empty_lines: true, trim: false });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 0;
      throw new ImportRejected([{ line, reason: `malformed CSV: ${error.message}` }]);
    }
    throw error;
  }
  const problems: RowProblem[] = [];
  const header = Object.keys(records[0]?.record ?? {});
  const unknown = header.filter((c) => !(importColumns as readonly string[]).includes(c));
  if (records.length === 0) throw new ImportRejected([{ line: 1, reason: "no rows after the header" }]);
  if (unknown.length) problems.push({ line: 1, reason: `unknown column(s): ${unknown.join(", ")}` });
  if (!header.includes("externalId") || !header.includes("name")) {
    problems.push({ line: 1, reason: "the header must have externalId and name" });
  }
  if (problems.length) throw new ImportRejected(problems);

  const rows: ParsedRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const externalId = (record.externalId ?? "").trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(externalId)) {
      problems.push({ line, reason: "externalId: missing or not a valid id" });
      continue;
    }
    const first = seen.get(externalId);
    if (first !== undefined) {
      problems.push({ line, externalId, reason: `externalId: also on line ${first}` });
      continue;
    }
    seen.set(externalId, line);
    const parsed = employeeInput.safeParse(toInput(record));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ line, externalId, reason: `${issue.path.join(".") || "row"}: ${issue.message}` });
      }
      continue;
    }
    for (const p of employeeInputProblems(externalId, parsed.data)) {
      problems.push({ line, externalId, reason: `${p.field}: ${p.message}` });
    }
    rows.push({ line, externalId, input: parsed.data });
  }

  const identityOwner = new Map<string, ParsedRow>();
  for (const row of rows) {
    for (const [platform, id] of Object.entries(row.input.identities)) {
      const key = `${platform}:${id}`;
      const other = identityOwner.get(key);
      if (other)
        problems.push({
          line: row.line,
          externalId: row.externalId,
          reason: `${platform}: also on line ${other.line}`,
        });
      else identityOwner.set(key, row);
    }
  }
  const { cycle } = managersFirst(
    rows.map((r) => ({ id: r.externalId, managerId: r.input.managerExternalId })),
  );
  for (const id of cycle) {
    const row = rows.find((r) => r.externalId === id);
    problems.push({
      line: row?.line ?? 0,
      externalId: id,
      reason: "managerExternalId: the managers form a cycle",
    });
  }
  if (problems.length) throw new ImportRejected(problems.sort((a, b) => a.line - b.line));
  return rows;
}

export type ImportReport = { rows: number; created: number; updated: number; unchanged: number };

/**
 * Imports a whole file or nothing: every row is checked first (managers must be in the file or the
 * directory), then all rows are written in one transaction, managers before their reports.
 */
export async function importEmployees(
  database: Database,
  master: MasterKey,
  text: string,
  actor: string,
  now: Date,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ImportReport> {
  const rows = parseEmployeeCsv(text);
  const inFile = new Set(rows.map((r) => r.externalId));
  const wantedManagers = [
    ...new Set(rows.map((r) => r.input.managerExternalId).filter((m): m is string => !!m && !inFile.has(m))),
  ];
  const known = await existingExternalIds(database.db, wantedManagers);
  const missing = rows
    .filter(
      (r) =>
        r.input.managerExternalId &&
        !inFile.has(r.input.managerExternalId) &&
        !known.has(r.input.managerExternalId),
    )
    .map((r) => ({
      line: r.line,
      externalId: r.externalId,
      reason: `managerExternalId: ${r.input.managerExternalId} is neither in the file nor in the directory`,
    }));
  if (missing.length) throw new ImportRejected(missing);

  const byId = new Map(rows.map((r) => [r.externalId, r]));
  const { ordered } = managersFirst(
    rows.map((r) => ({ id: r.externalId, managerId: r.input.managerExternalId })),
  );
  const report: ImportReport = { rows: rows.length, created: 0, updated: 0, unchanged: 0 };
  await database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    let done = 0;
    for (const { id } of ordered) {
      const row = byId.get(id) as ParsedRow;
      try {
        const result = await upsertEmployee(tx, master, row.externalId, row.input, actor, now);
        if (result.created) report.created += 1;
        else if (result.changed.length) report.updated += 1;
        else report.unchanged += 1;
      } catch (error) {
        if (isAppError(error))
          throw new ImportRejected([{ line: row.line, externalId: row.externalId, reason: error.message }]);
        throw error;
      }
      done += 1;
      if (done % 100 === 0 || done === ordered.length) onProgress(done, ordered.length);
    }
  });
  return report;
}
