import type { Config } from "../http/config.ts";
import { rotateEmbeddedSigningKey } from "../http/signer.ts";
import { expectOk, withApi } from "./api.ts";
import { CliError, type Command } from "./args.ts";
import { type CliIo, Progress, printJson, type Target } from "./context.ts";

type AuditAnswer = {
  ok: boolean;
  length: number;
  head: { seq: number; hash: string } | null;
  firstBroken?: { seq: number; entryId: string; reason: string };
  pending: number;
};

/** `baton verify --audit`: recompute the evidence chain; exit 1 and name the first broken entry. */
export async function verifyCommand(
  command: Extract<Command, { name: "verify" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const progress = new Progress(target.kind === "server" ? 2 : 3, io);
  const result = await withApi(config, target, progress, async (api) => {
    progress.step("recomputing every hash of the evidence chain");
    return expectOk<AuditAnswer>(await api("GET", "/api/v1/audit/verify"));
  });
  if (command.json) printJson(io, result);
  else if (result.ok) {
    io.stdout(
      `The evidence chain is intact: ${result.length} entr${result.length === 1 ? "y" : "ies"}${
        result.head ? `, head #${result.head.seq} ${result.head.hash}` : ""
      }${result.pending ? ` (${result.pending} waiting to be chained)` : ""}.\n`,
    );
  }
  if (!result.ok) {
    const broken = result.firstBroken;
    throw new CliError(
      `The evidence chain is BROKEN${broken ? ` at entry #${broken.seq} (${broken.entryId}): ${broken.reason.replaceAll("_", " ")}` : ""}.`,
    );
  }
}

/** `baton keys rotate`: a new embedded signing key; the old one retires but keeps verifying. */
export async function keysRotateCommand(
  command: Extract<Command, { name: "keys rotate" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  if (config.BATON_SIGNING_KEY) {
    throw new CliError(
      "BATON_SIGNING_KEY is set: rotate by setting a new key there (the old public key stays in the key list once Baton has used it).",
    );
  }
  if (target.kind === "server") {
    throw new CliError("A Baton server is running on this data folder: stop it first, then rotate the key.");
  }
  if (!command.yes) {
    throw new CliError(
      `This replaces the signing key in ${config.BATON_KEYS_DIR}; run again with --yes to go ahead.`,
    );
  }
  const rotated = await rotateEmbeddedSigningKey(config.BATON_KEYS_DIR);
  if (command.json) return printJson(io, rotated);
  io.stdout(
    `New signing key ${rotated.kid}.${rotated.retiredFile ? ` The old key ${rotated.previousKid} moved to ${rotated.retiredFile}; signatures made with it still verify.` : ""}\n`,
  );
}
