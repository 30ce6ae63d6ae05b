import type { CaseView } from "../../core/offboarding/case.ts";
import type { Config } from "../http/config.ts";
import { expectOk, withApi } from "./api.ts";
import { type CliIo, printJson, type Target } from "./context.ts";

/** `baton cases [--status open|on-hold|closed|withdrawn|active|all] [--employee ID] [--json]` */
export type CasesCommand = { name: "cases"; status?: string; employee?: string; json: boolean };
/** `baton case CASE_ID [--json]` */
export type CaseCommand = { name: "case"; id: string; json: boolean };

function nextOpenStep(view: CaseView): string {
  const open = view.steps
    .filter((s) => s.status === "active")
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const first = open[0];
  return first ? `${first.key} due ${first.dueDate}` : "—";
}

/** One line per case: id, employee, type, last day, status, the earliest open step. */
export function describeCases(views: readonly CaseView[]): string {
  if (views.length === 0) return "No cases.\n";
  return `${views
    .map(
      (v) =>
        `${v.id}  ${v.employeeExternalId.padEnd(10)} ${v.separationType.padEnd(26)} last day ${v.plannedLastDay}  ${v.status.padEnd(9)} ${nextOpenStep(v)}`,
    )
    .join("\n")}\n`;
}

/** A case with its dates and a table of its steps. */
export function describeCase(v: CaseView): string {
  const lines = [
    `Case ${v.id}: ${v.employeeExternalId}, ${v.separationType} (${v.article}), ${v.status}`,
    `  notice ${v.noticeDate} via ${v.noticeChannel}; legal last day ${v.legalLastDay ?? "—"}; requested ${v.requestedLastDay ?? "—"}; agreed ${v.agreedLastDay ?? "—"}`,
    `  last day in force ${v.plannedLastDay}; certificate due ${v.certificateDue}; transfer due ${v.transferDue} (Art. 203: ${v.transferDueExtended})`,
    ...(v.earlierDayNeedsAgreement
      ? ["  the employee asked for an earlier day: not in force until agreed"]
      : []),
    ...(v.exceptionsRecordedAt ? [`  exceptions recorded ${v.exceptionsRecordedAt}`] : []),
    "",
    ...v.steps.map(
      (s) =>
        `  ${s.key.padEnd(12)} ${s.status.padEnd(9)} ${s.owner.padEnd(20)} ${s.projected ? "starts by" : "started  "} ${s.startDate}  due ${s.dueDate}${s.dueDateExtended && s.dueDateExtended !== s.dueDate ? ` (Art. 203: ${s.dueDateExtended})` : ""}${s.completedAt ? `  done ${s.completedAt} by ${s.completedBy}` : ""}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** `baton cases` and `baton case ID`, through the cases API. */
export async function caseCommand(
  command: CasesCommand | CaseCommand,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  if (command.name === "case") {
    const view = await withApi(config, target, undefined, async (api) =>
      expectOk<CaseView>(await api("GET", `/api/v1/cases/${encodeURIComponent(command.id)}`)),
    );
    if (command.json) return printJson(io, view);
    io.stdout(describeCase(view));
    return;
  }
  const query = new URLSearchParams({ status: command.status ?? "active", limit: "200" });
  if (command.employee) query.set("employee", command.employee);
  const page = await withApi(config, target, undefined, async (api) =>
    expectOk<{ cases: CaseView[] }>(await api("GET", `/api/v1/cases?${query}`)),
  );
  if (command.json) return printJson(io, page.cases);
  io.stdout(describeCases(page.cases));
}
