import type { IsoDate } from "../compliance/dates.ts";

/**
 * A part of HR's daily digest. Modules that have something to report each day (open cases and
 * their steps, unpaid non-compete months, …) register one; the digest job asks each for its part
 * for the channel's entity (`null`: a channel bound for all entities) and puts it under `name`.
 * Plain counts and ids only: the digest goes to a group chat.
 */
export type DigestSection = {
  name: string;
  summarize(input: { entityId: string | null; today: IsoDate; now: Date }): Promise<Record<string, unknown>>;
};
