import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type BundleVerification,
  type EvidenceBundle,
  keyFingerprint,
  verifyEvidenceBundle,
} from "../../core/agreements/bundle.ts";
import type { Config } from "../http/config.ts";
import { expectOk, withApi } from "./api.ts";
import { CliError } from "./args.ts";
import { type CliIo, Progress, printJson, type Target } from "./context.ts";

/** `baton export evidence SIGNATURE_ID [--out FILE] [--json]` */
export type ExportEvidenceCommand = { name: "export evidence"; json: boolean; id: string; out?: string };

/** `baton verify BUNDLE.json --key FINGERPRINT [--key FINGERPRINT] [--json]` */
export type VerifyBundleCommand = { name: "verify bundle"; json: boolean; file: string; keys: string[] };

/** Writes a signature's evidence bundle to a file (default `evidence-<id>.json` here). */
export async function exportEvidenceCommand(
  command: ExportEvidenceCommand,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  if (!/^[0-9a-f-]{36}$/.test(command.id)) throw new CliError(`${command.id} is not a signature id.`);
  const progress = new Progress(target.kind === "server" ? 2 : 4, io);
  const bundle = await withApi(config, target, progress, async (api) => {
    progress.step(`exporting the evidence of signature ${command.id}`);
    return expectOk<EvidenceBundle>(await api("GET", `/api/v1/signatures/${command.id}/bundle`));
  });
  const file = path.resolve(command.out ?? `evidence-${command.id}.json`);
  await writeFile(file, `${JSON.stringify(bundle, null, 2)}\n`, { mode: 0o600 });
  const fingerprints = await Promise.all(bundle.keys.map((k) => keyFingerprint(k.x)));
  if (command.json)
    return printJson(io, { file, signatureId: command.id, head: bundle.chain.head, fingerprints });
  io.stdout(`${file}\n`);
  io.stderr(
    `Evidence of signature ${command.id}: chain entry #${bundle.chain.position.seq} to head #${bundle.chain.head.seq}.\n` +
      `Check it offline against Baton's key fingerprint, taken from a copy you trust (not from this file):\n` +
      `  baton verify ${path.basename(file)} ${fingerprints.map((f) => `--key ${f}`).join(" ")}\n`,
  );
}

function describe(result: BundleVerification): string {
  const lines = result.checks.map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.check.padEnd(10)} ${c.detail}`);
  const s = result.summary;
  if (s && result.ok) {
    lines.push(
      "",
      `Valid: ${s.employee} signed ${s.agreement} version ${s.version} (SHA-256 ${s.hash}) at ${s.signedAt};`,
      `evidence entry #${s.entry.seq}, chain head #${s.head.seq} ${s.head.hash}.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Checks a bundle offline against pinned key fingerprints: Baton's signatures, the record, the
 * agreement text, the chain segment. Exit 1 naming what failed; a bundle signed with a key that
 * is not pinned is refused.
 */
export async function verifyBundleCommand(command: VerifyBundleCommand, io: CliIo): Promise<void> {
  if (command.keys.length === 0) {
    throw new CliError(
      "Give the fingerprint of Baton's signing key with --key (from /.well-known/jwks.json, baton status, or the HR digest), never from the bundle itself.",
    );
  }
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
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON, so not an evidence bundle.`);
  }
  const result = await verifyEvidenceBundle(bundle, command.keys);
  if (command.json) printJson(io, result);
  else io.stdout(describe(result));
  if (!result.ok) {
    const failed = result.checks.filter((c) => !c.ok);
    throw new CliError(
      `The bundle does NOT verify: ${failed.map((c) => `${c.check}: ${c.detail}`).join("; ")}`,
    );
  }
}
