import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

/**
 * Compares `value` with the JSON golden file at `file` (parsed, so formatting does not matter).
 * `UPDATE_GOLDEN=1` rewrites the file instead (then run `npx biome format --write` on the folder);
 * a missing file fails the test.
 */
export function expectGolden(file: string, value: unknown): void {
  const json = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, json);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1`);
  expect(JSON.parse(json), path.basename(file)).toEqual(JSON.parse(readFileSync(file, "utf8")));
}
