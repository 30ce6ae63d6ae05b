import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type ChainEntry,
  type ChainLink,
  canonicalEntry,
  chainHash,
  entryHash,
  genesisHash,
  toChainEntry,
  verifyChain,
} from "./chain.ts";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function entry(n: number, data: Record<string, unknown> = { n }): ChainEntry {
  return {
    id: `e${n}`,
    at: new Date(Date.UTC(2026, 2, 2, 2, 0, n)).toISOString(),
    actor: "system:baton",
    action: "test.recorded",
    subject: `test:${n}`,
    data,
  };
}

async function chainOf(entries: ChainEntry[]): Promise<ChainLink[]> {
  const links: ChainLink[] = [];
  let prev = genesisHash;
  for (const [i, e] of entries.entries()) {
    const hash = await chainHash(prev, e);
    links.push({ seq: i + 1, entryId: e.id, prevHash: prev, hash, entry: e });
    prev = hash;
  }
  return links;
}

describe("canonical JSON of an entry", () => {
  it("is RFC 8785: sorted keys, no whitespace, UTC time with milliseconds", () => {
    const e = toChainEntry("id-1", {
      at: new Date("2026-03-02T10:00:00+08:00"),
      actor: "employee:E1001",
      action: "agreement.signed",
      subject: "agreement:nda",
      data: { z: 1, a: [true, null, "中文"], m: { y: 1.5, b: "x" } },
    });
    expect(canonicalEntry(e)).toBe(
      '{"action":"agreement.signed","actor":"employee:E1001","at":"2026-03-02T02:00:00.000Z",' +
        '"data":{"a":[true,null,"中文"],"m":{"b":"x","y":1.5},"z":1},"id":"id-1","subject":"agreement:nda"}',
    );
  });

  it("ignores key order and extra fields, and refuses what JSON cannot say", () => {
    const a = entry(1, { x: 1, y: 2 });
    const b = { ...entry(1, { y: 2, x: 1 }), seq: 99 } as ChainEntry;
    expect(canonicalEntry(b)).toBe(canonicalEntry(a));
    expect(() => canonicalEntry(entry(1, { bad: Number.NaN }))).toThrow();
    expect(() => canonicalEntry(entry(1, { bad: Number.POSITIVE_INFINITY }))).toThrow();
  });
});

describe("hashes", () => {
  it("chainHash is SHA-256 hex of prevHash followed by the canonical JSON", async () => {
    const e = entry(7);
    expect(genesisHash).toBe("0".repeat(64));
    expect(await chainHash(genesisHash, e)).toBe(sha256(genesisHash + canonicalEntry(e)));
    expect(await entryHash(e)).toBe(sha256(canonicalEntry(e)));
  });
});

describe("verifyChain", () => {
  it("accepts an intact chain and reports its length and head", async () => {
    const links = await chainOf([entry(1), entry(2), entry(3)]);
    expect(await verifyChain(links)).toEqual({
      ok: true,
      length: 3,
      head: { seq: 3, hash: links[2]?.hash },
    });
    expect(await verifyChain([])).toEqual({ ok: true, length: 0, head: null });
  });

  it("names an edited entry (hash mismatch)", async () => {
    const links = await chainOf([entry(1), entry(2), entry(3)]);
    links[1] = { ...links[1]!, entry: { ...links[1]!.entry!, actor: "employee:E9" } };
    const result = await verifyChain(links);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: 2, entryId: "e2", reason: "hash_mismatch" });
    expect(result.length).toBe(3);
  });

  it("names an edited stored hash at its own link", async () => {
    const links = await chainOf([entry(1), entry(2), entry(3)]);
    links[0] = { ...links[0]!, hash: "f".repeat(64) };
    expect((await verifyChain(links)).firstBroken).toEqual({
      seq: 1,
      entryId: "e1",
      reason: "hash_mismatch",
    });
  });

  it("names a broken prev link", async () => {
    const links = await chainOf([entry(1), entry(2), entry(3)]);
    links[2] = { ...links[2]!, prevHash: links[0]!.hash };
    expect((await verifyChain(links)).firstBroken).toEqual({
      seq: 3,
      entryId: "e3",
      reason: "prev_link_broken",
    });
  });

  it("names a gap in seq, and a chain that does not start at 1", async () => {
    const links = await chainOf([entry(1), entry(2), entry(3)]);
    expect((await verifyChain([links[0]!, links[2]!])).firstBroken).toEqual({
      seq: 3,
      entryId: "e3",
      reason: "seq_gap",
    });
    expect((await verifyChain(links.slice(1))).firstBroken?.reason).toBe("seq_gap");
  });

  it("names a missing entry, unless redacted entries are allowed (bundles)", async () => {
    const links = await chainOf([entry(1), entry(2), entry(3)]);
    links[1] = { ...links[1]!, entry: null };
    expect((await verifyChain(links)).firstBroken).toEqual({
      seq: 2,
      entryId: "e2",
      reason: "entry_missing",
    });
    expect((await verifyChain(links, { allowRedacted: true })).ok).toBe(true);
  });

  it("verifies a segment from a given start", async () => {
    const links = await chainOf([entry(1), entry(2), entry(3), entry(4)]);
    const start = { seq: 2, hash: links[1]!.hash };
    expect((await verifyChain(links.slice(2), { start })).ok).toBe(true);
    expect((await verifyChain(links.slice(2), { start: { seq: 2, hash: genesisHash } })).ok).toBe(false);
  });
});
