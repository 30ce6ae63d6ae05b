/**
 * When may an employee start an attempt? One attempt is open at a time (starting again resumes
 * it); a passed assignment takes no more; after a failed attempt the course's cool-down must pass;
 * the attempt limit counts every attempt of the assignment.
 */
export type AssignmentStatus = "open" | "passed" | "failed" | "cancelled";

export type AttemptSummary = {
  id: string;
  number: number;
  submittedAt: Date | null;
  passed: boolean | null;
};

export type StartDecision =
  | { kind: "resume"; attemptId: string }
  | { kind: "start"; number: number }
  | { kind: "refuse"; reason: "passed" | "closed" | "limit" }
  | { kind: "refuse"; reason: "cool_down"; availableAt: Date };

export function decideStart(input: {
  status: AssignmentStatus;
  attempts: readonly AttemptSummary[];
  attemptLimit: number;
  coolDownMinutes: number;
  now: Date;
}): StartDecision {
  const { status, attempts, attemptLimit, coolDownMinutes, now } = input;
  if (status === "passed") return { kind: "refuse", reason: "passed" };
  if (status !== "open") return { kind: "refuse", reason: "closed" };
  const open = attempts.find((a) => a.submittedAt === null);
  if (open) return { kind: "resume", attemptId: open.id };
  if (attempts.length >= attemptLimit) return { kind: "refuse", reason: "limit" };
  const last = [...attempts].sort((a, b) => b.number - a.number)[0];
  if (last?.submittedAt) {
    const availableAt = new Date(last.submittedAt.getTime() + coolDownMinutes * 60_000);
    if (now < availableAt) return { kind: "refuse", reason: "cool_down", availableAt };
  }
  return { kind: "start", number: (last?.number ?? 0) + 1 };
}

/** Attempts left after those made. */
export function attemptsLeft(attemptLimit: number, made: number): number {
  return Math.max(0, attemptLimit - made);
}
