import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { teamsEn, teamsZhCN } from "../../core/messages/parts/teams.ts";
import { packageTeamsApp } from "../../scripts/teams-package.ts";
import { decodePng } from "../../test/helpers/png.ts";
import { buildTeamsAppPackage, manifestVersion, teamsManifest } from "./manifest.ts";

const appId = "1f2e3d4c-0000-4000-8000-00000000b0a7";

/** Reads a zip through its central directory, checking each entry's CRC. */
function unzip(file: Uint8Array): Map<string, Buffer> {
  const data = Buffer.from(file);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(data.readUInt32LE(at)).toBe(0x02014b50);
    const method = data.readUInt16LE(at + 10);
    const crc = data.readUInt32LE(at + 16);
    const packedSize = data.readUInt32LE(at + 20);
    const size = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const extra = data.readUInt16LE(at + 30);
    const comment = data.readUInt16LE(at + 32);
    const local = data.readUInt32LE(at + 42);
    const name = data.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    expect(data.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const packed = data.subarray(start, start + packedSize);
    const content = method === 8 ? inflateRawSync(packed) : Buffer.from(packed);
    expect(content.length, name).toBe(size);
    expect(crc32(content), name).toBe(crc);
    files.set(name, content);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

type Manifest = {
  $schema: string;
  manifestVersion: string;
  version: string;
  id: string;
  developer: Record<string, string>;
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  validDomains: string[];
  localizationInfo: {
    defaultLanguageTag: string;
    additionalLanguages: { languageTag: string; file: string }[];
  };
  bots: {
    botId: string;
    scopes: string[];
    commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[];
  }[];
};

describe("the Teams app package", () => {
  it("is built by `npm run teams:package` as a zip with the manifest, its zh-CN texts and both icons", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "baton-teams-"));
    const out = path.join(dir, "app.zip");
    const result = packageTeamsApp(["--out", out, "--developer", "Acme Ltd."], {
      TEAMS_APP_ID: appId.toUpperCase(),
      BATON_PUBLIC_URL: "https://baton.acme.example/",
    });
    expect(result.file).toBe(out);
    const files = unzip(readFileSync(out));
    expect([...files.keys()].sort()).toEqual(["color.png", "manifest.json", "outline.png", "zh-cn.json"]);

    const manifest = JSON.parse(files.get("manifest.json")?.toString("utf8") ?? "{}") as Manifest;
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(manifest.manifestVersion).toBe("1.22");
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.id).toBe(appId);
    expect(manifest.developer).toMatchObject({
      name: "Acme Ltd.",
      websiteUrl: "https://baton.acme.example/",
    });
    for (const url of Object.values(manifest.developer).slice(1)) expect(url).toMatch(/^https:\/\//);
    expect(manifest.validDomains).toEqual(["baton.acme.example"]);
    expect(manifest.accentColor).toMatch(/^#[0-9A-F]{6}$/);
    // Teams' length limits.
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.name.full.length).toBeLessThanOrEqual(100);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);

    const [bot] = manifest.bots;
    expect(manifest.bots).toHaveLength(1);
    expect(bot?.botId).toBe(appId);
    expect(bot?.scopes).toEqual(["personal", "team", "groupChat"]);
    const personal = bot?.commandLists.find((l) => l.scopes.includes("personal"));
    const groups = bot?.commandLists.find((l) => l.scopes.includes("team") && l.scopes.includes("groupChat"));
    expect(personal?.commands.map((c) => c.title)).toEqual([
      "resign",
      "status",
      "sign",
      "training",
      "quiz",
      "handover",
      "cases",
      "help",
    ]);
    expect(groups?.commands.map((c) => c.title)).toEqual(["bind hr", "bind finance", "cases", "help"]);
    for (const list of bot?.commandLists ?? []) {
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const c of list.commands) {
        expect(c.title.length).toBeLessThanOrEqual(32);
        expect(c.description.length).toBeLessThanOrEqual(128);
      }
    }

    // The zh-CN localization file covers every text of the manifest.
    expect(manifest.localizationInfo).toEqual({
      defaultLanguageTag: "en",
      additionalLanguages: [{ languageTag: "zh-cn", file: "zh-cn.json" }],
    });
    const zh = JSON.parse(files.get("zh-cn.json")?.toString("utf8") ?? "{}") as Record<string, string>;
    expect(zh["name.short"]).toBe(teamsZhCN["teams.app.name_short"]);
    expect(zh["bots[0].commandLists[0].commands[0].title"]).toBe("离职");
    expect(zh["bots[0].commandLists[1].commands[0].title"]).toBe("绑定 HR");
    const localized = Object.keys(zh).filter((k) => k !== "$schema");
    expect(localized).toHaveLength(
      4 + 2 * ((personal?.commands.length ?? 0) + (groups?.commands.length ?? 0)),
    );
    for (const key of localized) expect(/[\u4e00-\u9fff]/.test(zh[key] ?? ""), key).toBe(true);

    // The icons: color 192×192; outline 32×32, white on transparent only.
    expect(manifest.icons).toEqual({ color: "color.png", outline: "outline.png" });
    const color = decodePng(files.get("color.png") as Buffer);
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = decodePng(files.get("outline.png") as Buffer);
    expect([outline.width, outline.height, outline.channels]).toEqual([32, 32, 4]);
    let opaque = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const alpha = outline.pixels[i + 3] ?? 0;
      if (alpha === 0) continue;
      opaque += 1;
      expect([outline.pixels[i], outline.pixels[i + 1], outline.pixels[i + 2]]).toEqual([255, 255, 255]);
    }
    expect(opaque).toBeGreaterThan(50);
    expect(opaque).toBeLessThan(32 * 32 - 100);
  });

  it("refuses what Teams would refuse: no app id, a non-GUID id, an http address", () => {
    expect(() => packageTeamsApp([], { BATON_PUBLIC_URL: "https://x.example" })).toThrow(/TEAMS_APP_ID/);
    expect(() => packageTeamsApp([], { TEAMS_APP_ID: appId })).toThrow(/BATON_PUBLIC_URL/);
    expect(() => teamsManifest({ appId: "baton", publicUrl: "https://x.example", version: "1.0.0" })).toThrow(
      /GUID/,
    );
    expect(() => teamsManifest({ appId, publicUrl: "http://127.0.0.1:8787", version: "1.0.0" })).toThrow(
      /https/,
    );
    expect(() => teamsManifest({ appId, publicUrl: "https://x.example", version: "1.0" })).toThrow(/x\.y\.z/);
  });

  it("is the same bytes for the same input", () => {
    const options = { appId, publicUrl: "https://x.example", version: "1.2.3" };
    expect(
      Buffer.from(buildTeamsAppPackage(options).zip).equals(Buffer.from(buildTeamsAppPackage(options).zip)),
    ).toBe(true);
  });

  it("has every package text in en and zh-CN", () => {
    expect(Object.keys(teamsZhCN).sort()).toEqual(Object.keys(teamsEn).sort());
    for (const [key, text] of Object.entries(teamsZhCN)) expect(/[\u4e00-\u9fff]/.test(text), key).toBe(true);
  });
});
