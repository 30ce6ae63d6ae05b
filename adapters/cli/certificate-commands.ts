import { writeFileSync } from "node:fs";
import type { Config } from "../http/config.ts";
import { expectOk, withApi } from "./api.ts";
import { CliError } from "./args.ts";
import { type CliIo, printJson, type Target } from "./context.ts";

/**
 * `baton certificate show CASE`
 * `baton certificate issue CASE --years-confirmed`
 * `baton certificate revoke CERTIFICATE --reason TEXT`
 * `baton certificate pdf CERTIFICATE --out FILE`
 */
export type CertificateCommand =
  | { name: "certificate show"; caseId: string; json: boolean }
  | { name: "certificate issue"; caseId: string; yearsConfirmed: boolean; json: boolean }
  | { name: "certificate revoke"; certificateId: string; reason: string; json: boolean }
  | { name: "certificate pdf"; certificateId: string; out: string; json: boolean };

type Certificate = {
  id: string;
  version: number;
  status: string;
  issueDate: string;
  verifyUrl: string;
  deliveries: { channel: string; status: string }[];
};

type CaseCertificates = {
  plannedLastDay: string;
  timeZone: string;
  due: boolean;
  current: Certificate | null;
  versions: Certificate[];
  draft: {
    problems: { field: string; message: string }[];
    yearsOfService: { zh: string; en: string } | null;
  } | null;
};

function describeCertificate(c: Certificate): string {
  const deliveries = c.deliveries.map((d) => `${d.channel} ${d.status}`).join(", ") || "none";
  return `Certificate ${c.id} version ${c.version}: ${c.status}, issued ${c.issueDate}.\n  verify: ${c.verifyUrl}\n  deliveries: ${deliveries}\n`;
}

function describeCase(body: CaseCertificates): string {
  const lines: string[] = [];
  if (body.current) lines.push(describeCertificate(body.current).trimEnd());
  else {
    lines.push(
      body.due
        ? `No certificate yet; the last day ${body.plannedLastDay} has come (${body.timeZone}): issue it now (LCL Art. 50).`
        : `No certificate yet; it can be issued from the last day, ${body.plannedLastDay} (${body.timeZone}).`,
    );
    for (const p of body.draft?.problems ?? []) lines.push(`  enter ${p.field}: ${p.message}`);
    if (body.draft?.yearsOfService) {
      lines.push(
        `  years of service to review: ${body.draft.yearsOfService.zh} / ${body.draft.yearsOfService.en}`,
      );
    }
  }
  for (const v of body.versions.filter((x) => x.id !== body.current?.id)) {
    lines.push(`  earlier: version ${v.version} ${v.status} (${v.id})`);
  }
  return `${lines.join("\n")}\n`;
}

/** The separation certificate from the command line, through the certificate API (the CLI acts as a system for HR). */
export async function certificateCommand(
  command: CertificateCommand,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  if (command.name === "certificate issue" && !command.yearsConfirmed) {
    throw new CliError(
      "Review the years of service first (baton certificate show CASE), then issue with --years-confirmed.",
    );
  }
  const result = await withApi(config, target, undefined, async (api) => {
    switch (command.name) {
      case "certificate show":
        return expectOk<unknown>(
          await api("GET", `/api/v1/cases/${encodeURIComponent(command.caseId)}/certificate`),
        );
      case "certificate issue":
        return expectOk<unknown>(
          await api("POST", `/api/v1/cases/${encodeURIComponent(command.caseId)}/certificate`, {
            json: { yearsOfServiceConfirmed: true },
          }),
        );
      case "certificate revoke":
        return expectOk<unknown>(
          await api("POST", `/api/v1/certificates/${encodeURIComponent(command.certificateId)}/revoke`, {
            json: { reason: command.reason },
          }),
        );
      case "certificate pdf": {
        const response = await api(
          "GET",
          `/api/v1/certificates/${encodeURIComponent(command.certificateId)}.pdf`,
        );
        if (!response.ok) return expectOk<unknown>(response);
        const bytes = new Uint8Array(await response.arrayBuffer());
        writeFileSync(command.out, bytes, { mode: 0o600 });
        return {
          file: command.out,
          bytes: bytes.length,
          status: response.headers.get("x-certificate-status"),
        };
      }
    }
  });
  if (command.json) return printJson(io, result);
  switch (command.name) {
    case "certificate show":
      io.stdout(describeCase(result as CaseCertificates));
      break;
    case "certificate issue":
    case "certificate revoke":
      io.stdout(describeCertificate(result as Certificate));
      break;
    case "certificate pdf": {
      const file = result as { file: string; bytes: number; status: string | null };
      io.stdout(
        `Wrote ${file.file} (${file.bytes} bytes)${file.status === "revoked" ? " — this version is REVOKED" : ""}. Print it and stamp it with the company seal.\n`,
      );
      break;
    }
  }
}
