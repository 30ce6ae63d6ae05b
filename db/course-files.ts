import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { YamlDocument, YamlReader } from "../core/training/course-files.ts";

/**
 * The `yaml` package behind core's YamlReader port: YAML 1.2 core schema (no dates, no custom
 * tags), duplicate keys refused, and every value's line kept for error messages.
 */
export const readYaml: YamlReader = (text) => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, schema: "core" });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line ?? 1;
    return { ok: false, line, message: error.message.split("\n")[0] ?? error.code };
  }
  const lineAt = (
    node: { range?: [number, number, number] | null } | null | undefined,
  ): number | undefined => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);

  const document: YamlDocument = {
    value: doc.toJS({ maxAliasCount: 100 }),
    lineOf(target) {
      let node: unknown = doc.contents;
      let line = lineAt(doc.contents as Node | null) ?? 1;
      for (const segment of target) {
        if (isMap(node)) {
          const pair = node.items.find(
            (item) => isPair(item) && isScalar(item.key) && item.key.value === segment,
          );
          if (!pair) break;
          line = lineAt(pair.key as Node) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === "number") {
          const item = node.items[segment];
          if (!item) break;
          line = lineAt(item as Node) ?? line;
          node = item;
        } else {
          break;
        }
      }
      return line;
    },
  };
  return { ok: true, document };
};

export class CourseFolderError extends Error {}

/** Files larger than this are not course files. */
const maxFileBytes = 256 * 1024;

/**
 * Reads a course folder from disk as path → text: `course.yaml`, `questions.yaml` and the files
 * under `lessons/`, plus any other YAML or Markdown file at the top (so that a misplaced lesson is
 * reported rather than silently left out). Hidden files and README.md are skipped.
 */
export async function readCourseFolder(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const add = async (relative: string) => {
    const full = path.join(folder, relative);
    const info = await stat(full);
    if (!info.isFile()) return;
    if (info.size > maxFileBytes)
      throw new CourseFolderError(`${relative} is larger than ${maxFileBytes} bytes.`);
    files[relative.split(path.sep).join("/")] = await readFile(full, "utf8");
  };
  let top: string[];
  try {
    top = await readdir(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CourseFolderError(
      code === "ENOENT" ? `No folder at ${folder}.` : `Cannot read ${folder}: ${code ?? String(error)}`,
    );
  }
  for (const name of top.sort()) {
    if (name.startsWith(".") || name.toLowerCase() === "readme.md") continue;
    if (name === "lessons") {
      for (const lesson of (await readdir(path.join(folder, name))).sort()) {
        if (!lesson.startsWith(".")) await add(path.join(name, lesson));
      }
    } else if (/\.(ya?ml|md)$/i.test(name)) {
      await add(name);
    }
  }
  return files;
}
