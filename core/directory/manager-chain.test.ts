import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { managerChain, managersFirst, wouldCreateCycle } from "./manager-chain.ts";

const org: Record<string, string | null> = { ceo: null, cto: "ceo", dev: "cto", intern: "dev" };
const managerOf = (id: string) => org[id];

describe("manager chain", () => {
  it("walks up to the top", () => {
    expect(managerChain("intern", managerOf)).toEqual(["dev", "cto", "ceo"]);
    expect(managerChain("ceo", managerOf)).toEqual([]);
  });

  it("stops at a cycle instead of looping", () => {
    const looped: Record<string, string> = { a: "b", b: "c", c: "a" };
    expect(managerChain("a", (id) => looped[id])).toEqual(["b", "c"]);
  });

  it("refuses a manager that reports to the employee", () => {
    expect(wouldCreateCycle("cto", "intern", managerOf)).toBe(true);
    expect(wouldCreateCycle("cto", "cto", managerOf)).toBe(true);
    expect(wouldCreateCycle("intern", "ceo", managerOf)).toBe(false);
    expect(wouldCreateCycle("intern", null, managerOf)).toBe(false);
  });

  it("orders managers before their reports, whatever the input order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer(), (size, seed) => {
        // a random forest: each node's manager has a smaller index
        const records = Array.from({ length: size }, (_, i) => ({
          id: `e${i}`,
          managerId: i === 0 ? null : `e${Math.abs((seed * (i + 7)) % i)}`,
        }));
        const shuffled = [...records].sort((a, b) => ((a.id.length * seed) % 7) - ((b.id.length * seed) % 7));
        const { ordered, cycle } = managersFirst(shuffled);
        expect(cycle).toEqual([]);
        expect(ordered).toHaveLength(size);
        const position = new Map(ordered.map((r, i) => [r.id, i]));
        for (const r of ordered) {
          if (r.managerId) expect(position.get(r.managerId)).toBeLessThan(position.get(r.id) as number);
        }
      }),
    );
  });

  it("names the people caught in a cycle", () => {
    const { cycle } = managersFirst([
      { id: "a", managerId: "b" },
      { id: "b", managerId: "a" },
      { id: "c", managerId: "x" },
    ]);
    expect(cycle.sort()).toEqual(["a", "b"]);
  });
});
