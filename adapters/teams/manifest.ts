/**
 * The Teams app package (README.md "Install"): `manifest.json` (schema v1.22), its zh-CN
 * localization file and the two icons Teams requires — color 192×192, outline 32×32 (white on
 * transparent) — drawn here in code, zipped. `npm run teams:package` (scripts/teams-package.ts)
 * writes it; Teams admins upload it (Teams admin center → Teams apps → Manage apps → Upload).
 */

import { crc32, deflateRawSync, deflateSync } from "node:zlib";
import { teamsEn, teamsZhCN } from "../../core/messages/parts/teams.ts";

export const manifestVersion = "1.22";
export const manifestSchema = `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;
export const localizationSchema = `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.Localization.schema.json`;
export const accentColor = "#4F52B2";

export type TeamsManifestOptions = {
  /** The Azure Bot's Microsoft App ID (a GUID): the bot id, and the Teams app id. */
  appId: string;
  /** Baton's public https address (BATON_PUBLIC_URL); its host becomes the valid domain. */
  publicUrl: string;
  /** The app version (x.y.z); raise it for every package you upload again. */
  version: string;
  developerName?: string;
  /** Default: the public URL. */
  websiteUrl?: string;
  privacyUrl?: string;
  termsOfUseUrl?: string;
};

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Texts = typeof teamsEn;
type CommandKey = keyof Texts & `teams.command.${string}`;
type Command = { title: { en: string; zh: string }; key: CommandKey };

/** What a person types (the bot's free-text intents understand both titles, bots/intents.ts). */
const command = (en: string, zh: string, key: CommandKey): Command => ({ title: { en, zh }, key });
const personalCommands: Command[] = [
  command("resign", "离职", "teams.command.resign"),
  command("status", "进度", "teams.command.status"),
  command("sign", "签署", "teams.command.sign"),
  command("training", "培训", "teams.command.training"),
  command("quiz", "考试", "teams.command.quiz"),
  command("handover", "交接", "teams.command.handover"),
  command("cases", "案件", "teams.command.cases"),
  command("help", "帮助", "teams.command.help"),
];
const groupCommands: Command[] = [
  command("bind hr", "绑定 HR", "teams.command.bind_hr"),
  command("bind finance", "绑定财务", "teams.command.bind_finance"),
  command("cases", "案件", "teams.command.cases"),
  command("help", "帮助", "teams.command.help"),
];
const commandLists = [
  { scopes: ["personal"], commands: personalCommands },
  { scopes: ["team", "groupChat"], commands: groupCommands },
];

function httpsUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError(`${what} must be a URL, got "${value}"`);
  }
  if (url.protocol !== "https:")
    throw new RangeError(`${what} must be an https:// address (Teams requires it)`);
  return url.toString();
}

/** The manifest and its zh-CN localization file. */
export function teamsManifest(options: TeamsManifestOptions): {
  manifest: Record<string, unknown>;
  localizations: Record<string, Record<string, unknown>>;
} {
  if (!guidPattern.test(options.appId))
    throw new RangeError("the app id must be the Azure Bot's Microsoft App ID (a GUID)");
  if (!/^\d+\.\d+\.\d+$/.test(options.version)) throw new RangeError("the version must be x.y.z");
  const publicUrl = httpsUrl(options.publicUrl, "BATON_PUBLIC_URL");
  const website = httpsUrl(options.websiteUrl ?? publicUrl, "the website URL");
  const manifest = {
    $schema: manifestSchema,
    manifestVersion,
    version: options.version,
    id: options.appId.toLowerCase(),
    developer: {
      name: options.developerName ?? "Baton",
      websiteUrl: website,
      privacyUrl: httpsUrl(options.privacyUrl ?? website, "the privacy URL"),
      termsOfUseUrl: httpsUrl(options.termsOfUseUrl ?? website, "the terms of use URL"),
    },
    name: { short: teamsEn["teams.app.name_short"], full: teamsEn["teams.app.name_full"] },
    description: {
      short: teamsEn["teams.app.description_short"],
      full: teamsEn["teams.app.description_full"],
    },
    icons: { color: "color.png", outline: "outline.png" },
    accentColor,
    bots: [
      {
        botId: options.appId.toLowerCase(),
        scopes: ["personal", "team", "groupChat"],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: commandLists.map((list) => ({
          scopes: list.scopes,
          commands: list.commands.map((c) => ({ title: c.title.en, description: teamsEn[c.key] })),
        })),
      },
    ],
    validDomains: [new URL(publicUrl).host],
    localizationInfo: {
      defaultLanguageTag: "en",
      additionalLanguages: [{ languageTag: "zh-cn", file: "zh-cn.json" }],
    },
  };
  const zh: Record<string, unknown> = {
    $schema: localizationSchema,
    "name.short": teamsZhCN["teams.app.name_short"],
    "name.full": teamsZhCN["teams.app.name_full"],
    "description.short": teamsZhCN["teams.app.description_short"],
    "description.full": teamsZhCN["teams.app.description_full"],
  };
  commandLists.forEach((list, l) => {
    list.commands.forEach((c, i) => {
      zh[`bots[0].commandLists[${l}].commands[${i}].title`] = c.title.zh;
      zh[`bots[0].commandLists[${l}].commands[${i}].description`] = teamsZhCN[c.key];
    });
  });
  return { manifest, localizations: { "zh-cn.json": zh } };
}

/* ------------------------------------------------------------------------------ icons (PNG) */

/** A PNG (8-bit RGBA, no interlace) of `rgba` (width × height × 4 bytes). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "ascii");
    Buffer.from(data).copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, filter 0, no interlace
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    rows[y * (1 + width * 4)] = 0; // filter: none
    Buffer.from(rgba.subarray(y * width * 4, (y + 1) * width * 4)).copy(rows, y * (1 + width * 4) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array()),
  ]);
}

/**
 * A relay baton: a rounded diagonal rod. For each pixel of a size × size square: how much of it the
 * rod covers (0..1, a one-pixel soft edge), and whether it lies on one of the rod's two bands.
 */
function batonCoverage(size: number): (x: number, y: number) => { rod: number; band: boolean } {
  const s = size / 192;
  const [ax, ay] = [52 * s, 140 * s];
  const [dx, dy] = [88 * s, -88 * s];
  const radius = 17 * s;
  return (x, y) => {
    const px = x + 0.5 - ax;
    const py = y + 0.5 - ay;
    const along = (px * dx + py * dy) / (dx * dx + dy * dy);
    const t = Math.max(0, Math.min(1, along));
    const distance = Math.hypot(px - t * dx, py - t * dy);
    const rod = Math.max(0, Math.min(1, radius - distance + 0.5));
    const band = (along > 0.14 && along < 0.22) || (along > 0.78 && along < 0.86);
    return { rod, band };
  };
}

/** The color icon: a white baton on the accent colour, 192×192. */
export function colorIcon(size = 192): Uint8Array {
  const [r, g, b] = [0x4f, 0x52, 0xb2];
  const shape = batonCoverage(size);
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const { rod, band } = shape(x, y);
      // Bands are a lighter shade of the accent, drawn only on the rod.
      const white = rod * (band ? 0.75 : 1);
      const i = (y * size + x) * 4;
      rgba[i] = Math.round(r + (255 - r) * white);
      rgba[i + 1] = Math.round(g + (255 - g) * white);
      rgba[i + 2] = Math.round(b + (255 - b) * white);
      rgba[i + 3] = 255;
    }
  }
  return encodePng(size, size, rgba);
}

/** The outline icon: the baton in white on transparent, 32×32 (Teams' rule for outline icons). */
export function outlineIcon(size = 32): Uint8Array {
  const shape = batonCoverage(size);
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      rgba[i] = 255;
      rgba[i + 1] = 255;
      rgba[i + 2] = 255;
      rgba[i + 3] = Math.round(255 * shape(x, y).rod);
    }
  }
  return encodePng(size, size, rgba);
}

/* --------------------------------------------------------------------------------- the zip */

/** A zip archive (deflated entries, fixed 1980-01-01 timestamps so the same input gives the same bytes). */
export function zip(files: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    const data = Buffer.from(file.data);
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export type TeamsAppPackage = {
  manifest: Record<string, unknown>;
  files: { name: string; data: Uint8Array }[];
  /** The zip to upload. */
  zip: Uint8Array;
};

/** The app package: manifest.json, zh-cn.json, color.png and outline.png, zipped flat. */
export function buildTeamsAppPackage(options: TeamsManifestOptions): TeamsAppPackage {
  const { manifest, localizations } = teamsManifest(options);
  const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  const files = [
    { name: "manifest.json", data: json(manifest) },
    ...Object.entries(localizations).map(([name, value]) => ({ name, data: json(value) })),
    { name: "color.png", data: colorIcon() },
    { name: "outline.png", data: outlineIcon() },
  ];
  return { manifest, files, zip: zip(files) };
}
