import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** The layers of DESIGN §2 and what each may import. */
export type Layer = "core" | "cards" | "bots" | "db" | "adapter" | "wiring";

const npmAllowed: Record<Layer, (name: string) => boolean> = {
  core: (name) => ["zod", "canonicalize", "chinese-days"].includes(name),
  cards: () => false,
  bots: (name) => name === "zod",
  db: (name) =>
    !["hono", "@hono/node-server", "@slack/bolt", "@larksuiteoapi/node-sdk", "botbuilder"].includes(name),
  adapter: () => true,
  wiring: () => true,
};

export function layerOf(file: string): Layer | undefined {
  const [top, second] = file.split("/");
  if (top === "core" || top === "cards" || top === "bots" || top === "db") return top;
  if (top === "adapters") return second === "http" || second === "cli" ? "wiring" : "adapter";
  return undefined;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** Why importing `specifier` from `file` (repo-relative) breaks the rules, or undefined when it is allowed. */
export function violation(file: string, specifier: string, typeOnly: boolean): string | undefined {
  const layer = layerOf(file);
  if (!layer || layer === "wiring") return undefined;
  if (specifier.startsWith("node:") || ["fs", "path", "crypto", "child_process", "net"].includes(specifier)) {
    return layer === "core" || layer === "cards" || layer === "bots"
      ? `${layer} must not touch Node built-ins (${specifier})`
      : undefined;
  }
  if (!specifier.startsWith(".")) {
    const name = packageName(specifier);
    return npmAllowed[layer](name) ? undefined : `${layer} must not import the package ${name}`;
  }
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  const targetLayer = layerOf(target);
  const [, targetAdapter] = target.split("/");
  const [, ownAdapter] = file.split("/");
  switch (layer) {
    case "core":
      return targetLayer === "core" ? undefined : `core imports nothing else of Baton (${target})`;
    case "cards":
      if (targetLayer === "cards") return undefined;
      return targetLayer === "core" && typeOnly ? undefined : `cards may import only core types (${target})`;
    case "bots":
      return targetLayer === "core" || targetLayer === "cards" || targetLayer === "bots"
        ? undefined
        : `bots may import only core and cards (${target})`;
    case "db":
      return targetLayer === "core" || targetLayer === "db"
        ? undefined
        : `db may import only core (${target})`;
    case "adapter":
      if (targetLayer === "core" || targetLayer === "cards") return undefined;
      // The neutral events and replies a surface parses into and renders from.
      if (targetLayer === "bots" && typeOnly) return undefined;
      if (targetLayer === "adapter" && (targetAdapter === ownAdapter || targetAdapter === "shared"))
        return undefined;
      return `adapters/${ownAdapter} may import core, cards and adapters/shared, not ${target}; only adapters/http wires`;
  }
}

const importPattern =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[\s\S]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

export type Finding = { file: string; specifier: string; reason: string };

export function importsOf(source: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of source.matchAll(importPattern)) {
    const specifier = match[3] ?? match[4];
    if (specifier) found.push({ specifier, typeOnly: Boolean(match[2]) });
  }
  return found;
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir))) {
    const relative = `${dir}/${entry}`;
    if (entry === "node_modules" || entry === "migrations") continue;
    if (statSync(path.join(root, relative)).isDirectory()) out.push(...sourceFiles(root, relative));
    else if (/\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry)) out.push(relative);
  }
  return out;
}

/** Every import in core, cards, bots, db and adapters that breaks the rules (tests are exempt). */
export function findViolations(root: string): Finding[] {
  const findings: Finding[] = [];
  for (const top of ["core", "cards", "bots", "db", "adapters"]) {
    let files: string[];
    try {
      files = sourceFiles(root, top);
    } catch {
      continue;
    }
    for (const file of files) {
      for (const { specifier, typeOnly } of importsOf(readFileSync(path.join(root, file), "utf8"))) {
        const reason = violation(file, specifier, typeOnly);
        if (reason) findings.push({ file, specifier, reason });
      }
    }
  }
  return findings;
}
