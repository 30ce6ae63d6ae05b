import path from "node:path";
import { CourseFolderError, readCourseFolder } from "../../db/course-files.ts";
import type { Config } from "../http/config.ts";
import { withApi } from "./api.ts";
import { CliError } from "./args.ts";
import { type CliIo, Progress, printJson, type Target } from "./context.ts";

/** `baton import course FOLDER [--json]` */
export type ImportCourseCommand = { name: "import course"; folder: string; json: boolean };

type ImportOutcome = { courseId: string; version: number; contentHash: string; created: boolean };
type Problem = { file?: string; line?: number; message?: string };

/**
 * Imports a course folder through the courses API (`POST /api/v1/courses`): the files are read
 * here and checked by the server; problems come back with their file and line.
 */
export async function importCourseCommand(
  command: ImportCourseCommand,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const folder = path.resolve(command.folder);
  let files: Record<string, string>;
  try {
    files = await readCourseFolder(folder);
  } catch (error) {
    if (error instanceof CourseFolderError) throw new CliError(error.message);
    throw error;
  }
  const progress = new Progress(target.kind === "server" ? 3 : 4, io);
  progress.step(`read ${Object.keys(files).length} file(s) from ${folder}`);
  const outcome = await withApi(config, target, progress, async (api) => {
    progress.step("checking the course and importing it");
    const response = await api("POST", "/api/v1/courses", { json: { files } });
    const body = (await response.json()) as ImportOutcome & {
      error?: { message?: string; details?: unknown };
    };
    if (!response.ok) {
      const problems = Array.isArray(body.error?.details) ? (body.error.details as Problem[]) : [];
      const lines = problems.map(
        (p) => `  ${path.join(folder, p.file ?? "")}:${p.line ?? 1}: ${p.message ?? ""}`,
      );
      throw new CliError([body.error?.message ?? `HTTP ${response.status}`, ...lines].join("\n"));
    }
    return body;
  });
  if (command.json) return printJson(io, outcome);
  io.stdout(
    outcome.created
      ? `Imported course ${outcome.courseId} as version ${outcome.version} (sha256 ${outcome.contentHash}).\n`
      : `Course ${outcome.courseId} is unchanged; it stays at version ${outcome.version}.\n`,
  );
}
