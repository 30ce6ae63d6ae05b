import { destinationOf, type Notification } from "../core/notifications/notification.ts";
import type { Db } from "./client.ts";
import { outbox } from "./schema/index.ts";

/**
 * Enqueues a notification inside the caller's transaction. A dedupe key seen before is ignored,
 * so re-running the state change or the tick that makes it sends nothing twice. Returns whether a
 * row was written. Wake the dispatcher after the transaction commits.
 */
export async function enqueueNotification(
  tx: Db,
  notification: Notification,
  now: Date = new Date(),
): Promise<boolean> {
  const rows = await tx
    .insert(outbox)
    .values({
      kind: notification.kind,
      recipient: notification.recipient,
      destination: destinationOf(notification.recipient),
      data: notification.data,
      dedupeKey: notification.dedupeKey,
      urgency: notification.urgency ?? "normal",
      notBefore: notification.notBefore ?? now,
      createdAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id });
  return rows.length > 0;
}
