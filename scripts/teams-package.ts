/**
 * `npm run teams:package [-- --out FILE] [--version x.y.z] [--developer NAME] [--privacy-url URL]
 * [--terms-url URL]`: writes the Microsoft Teams app package (adapters/teams/manifest.ts) for this
 * Baton — the bot id from `TEAMS_APP_ID`, the valid domain from `BATON_PUBLIC_URL` (https). Upload
 * the zip in the Teams admin center (adapters/teams/README.md, "Install").
 */

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildTeamsAppPackage } from "../adapters/teams/manifest.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export type PackageResult = { file: string; manifest: Record<string, unknown> };

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`--${name} needs a value`);
  return value;
}

/** Builds and writes the package; throws an Error whose message says what to set. */
export function packageTeamsApp(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): PackageResult {
  const appId = env.TEAMS_APP_ID?.trim();
  if (!appId) throw new Error("TEAMS_APP_ID must be set: the Azure Bot's Microsoft App ID");
  const publicUrl = env.BATON_PUBLIC_URL?.trim();
  if (!publicUrl) throw new Error("BATON_PUBLIC_URL must be set: Baton's public https address");
  const version =
    option(argv, "version") ??
    (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  const developerName = option(argv, "developer");
  const privacyUrl = option(argv, "privacy-url");
  const termsOfUseUrl = option(argv, "terms-url");
  let built: ReturnType<typeof buildTeamsAppPackage>;
  try {
    built = buildTeamsAppPackage({
      appId,
      publicUrl,
      version,
      ...(developerName ? { developerName } : {}),
      ...(privacyUrl ? { privacyUrl } : {}),
      ...(termsOfUseUrl ? { termsOfUseUrl } : {}),
    });
  } catch (error) {
    throw new Error((error as Error).message);
  }
  const file = path.resolve(option(argv, "out") ?? "baton-teams-app.zip");
  writeFileSync(file, built.zip);
  return { file, manifest: built.manifest };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { file } = packageTeamsApp(process.argv.slice(2), process.env);
    console.log(
      `Wrote ${file}. Upload it in the Teams admin center (Teams apps → Manage apps → Upload new app).`,
    );
  } catch (error) {
    console.error(`teams:package: ${(error as Error).message}`);
    process.exit(1);
  }
}
