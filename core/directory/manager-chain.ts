/** Walks up from `start` through `managerOf`; stops at the top or at a cycle. */
export function managerChain(start: string, managerOf: (id: string) => string | null | undefined): string[] {
  const chain: string[] = [];
  const seen = new Set([start]);
  let current = managerOf(start);
  while (current) {
    if (seen.has(current)) break;
    seen.add(current);
    chain.push(current);
    current = managerOf(current);
  }
  return chain;
}

/** True when giving `employee` the manager `manager` would make someone their own manager. */
export function wouldCreateCycle(
  employee: string,
  manager: string | null | undefined,
  managerOf: (id: string) => string | null | undefined,
): boolean {
  if (!manager) return false;
  if (manager === employee) return true;
  return managerChain(manager, managerOf).includes(employee);
}

/**
 * Orders records so that each manager comes before the people who report to them (managers
 * outside the set are taken as existing). Returns the ids caught in a cycle, if any.
 */
export function managersFirst<T extends { id: string; managerId?: string | null | undefined }>(
  records: readonly T[],
): { ordered: T[]; cycle: string[] } {
  const byId = new Map(records.map((r) => [r.id, r]));
  const ordered: T[] = [];
  const state = new Map<string, "visiting" | "done">();
  const cycle: string[] = [];
  const visit = (record: T, path: string[]) => {
    const mark = state.get(record.id);
    if (mark === "done") return;
    if (mark === "visiting") {
      cycle.push(...path.slice(path.indexOf(record.id)));
      return;
    }
    state.set(record.id, "visiting");
    const manager = record.managerId ? byId.get(record.managerId) : undefined;
    if (manager) visit(manager, [...path, record.id]);
    state.set(record.id, "done");
    ordered.push(record);
  };
  for (const record of records) visit(record, []);
  return { ordered, cycle: [...new Set(cycle)] };
}
