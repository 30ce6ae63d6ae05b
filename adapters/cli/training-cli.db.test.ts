import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { coursesDirectory } from "../../db/seeds/demo-courses.ts";
import { installation } from "../../test/helpers/cli.ts";
import { testCourseFiles } from "../../test/helpers/training.ts";
import { loadConfig } from "../http/config.ts";
import { CliError } from "./args.ts";
import { importCourseCommand } from "./training-commands.ts";

function captureIo() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
    },
  };
}

async function writeFolder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "baton-course-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe("baton import course FOLDER", () => {
  it("imports a folder, leaves it unchanged the second time, and reports bad files by path and line", async () => {
    const config = loadConfig({ ...(await installation()), BATON_DEMO: "0" });
    const folder = path.join(coursesDirectory, "engineering-confidentiality");
    const first = captureIo();
    await importCourseCommand(
      { name: "import course", folder, json: false },
      config,
      { kind: "direct" },
      first.io,
    );
    expect(first.out.stdout).toMatch(
      /^Imported course engineering-confidentiality as version 1 \(sha256 [0-9a-f]{64}\)\.\n$/,
    );
    const again = captureIo();
    await importCourseCommand(
      { name: "import course", folder, json: true },
      config,
      { kind: "direct" },
      again.io,
    );
    expect(JSON.parse(again.out.stdout)).toMatchObject({
      courseId: "engineering-confidentiality",
      version: 1,
      created: false,
    });

    const files = testCourseFiles();
    files["questions.yaml"] =
      `${files["questions.yaml"]}  - { id: t1, type: true-false, prompt: { zh: 重复, en: Again }, answer: true }\n`;
    const broken = await writeFolder(files);
    const error = await importCourseCommand(
      { name: "import course", folder: broken, json: false },
      config,
      { kind: "direct" },
      captureIo().io,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain(
      `${path.join(broken, "questions.yaml")}:13: question id t1 is used twice (first on line 2)`,
    );
    const missing = await importCourseCommand(
      { name: "import course", folder: path.join(broken, "nope"), json: false },
      config,
      { kind: "direct" },
      captureIo().io,
    ).catch((e: unknown) => e);
    expect((missing as CliError).message).toMatch(/^No folder at /);
  });
});
