import { describe, expect, it } from "vitest";
import { groupCommit, type Settled } from "./group-commit.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("group commit", () => {
  it("flushes a lone item at once, and what arrives during a flush together in the next", async () => {
    const flushed: number[][] = [];
    let release: (() => void) | undefined;
    const commits = groupCommit<number, number>(async (items) => {
      flushed.push([...items]);
      if (flushed.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((value) => ({ value: value * 10 }));
    });
    const first = commits.submit(1);
    await tick();
    expect(flushed).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => commits.submit(n));
    await tick();
    expect(flushed).toHaveLength(1);
    release?.();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(flushed).toEqual([[1], [2, 3, 4]]);
    expect(commits.stats).toMatchObject({ batches: 2, items: 4, largest: 3 });
  });

  it("keeps to the largest batch and to the flushes in flight allowed", async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const commits = groupCommit<number, number>(
      async (items) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        sizes.push(items.length);
        await tick();
        inFlight -= 1;
        return items.map((value) => ({ value }));
      },
      { maxBatch: 4, concurrency: 2 },
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => commits.submit(i)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(most).toBe(2);
    await commits.idle();
  });

  it("fails the items the flush says failed, and all of a batch whose flush throws", async () => {
    const commits = groupCommit<number, number>(async (items): Promise<Settled<number>[]> => {
      if (items.includes(99)) throw new Error("the statement failed");
      return items.map((value) => (value < 0 ? { error: new Error(`bad ${value}`) } : { value }));
    });
    const mixed = await Promise.allSettled([commits.submit(1), commits.submit(-1), commits.submit(2)]);
    expect(mixed.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const thrown = await Promise.allSettled([commits.submit(3), commits.submit(99)]);
    expect(thrown.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await commits.submit(4)).toBe(4);
  });
});
