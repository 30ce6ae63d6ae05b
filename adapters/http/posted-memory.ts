import type { OutgoingMessage } from "../../core/notifications/delivery.ts";

/**
 * Posts that succeeded, by outbox rows and target, so a retry of a message that failed part-way
 * (another channel, a sender in front) does not post them again — in this process; after a restart
 * a retry may post once more.
 */
export class PostedMemory {
  private readonly posted = new Map<string, string>();
  key(message: OutgoingMessage, target: string): string {
    return `${message.items.map((i) => i.outboxId).join(",")}|${target}`;
  }
  get(key: string): string | undefined {
    return this.posted.get(key);
  }
  set(key: string, reference: string): void {
    if (this.posted.size >= 10_000) {
      const oldest = this.posted.keys().next().value;
      if (oldest !== undefined) this.posted.delete(oldest);
    }
    this.posted.set(key, reference);
  }
}

/** The references of every sender a message went through, space-separated (kept on the outbox row). */
export const joinReferences = (...refs: (string | undefined)[]): string | undefined =>
  refs.filter((r): r is string => r !== undefined && r !== "").join(" ") || undefined;
