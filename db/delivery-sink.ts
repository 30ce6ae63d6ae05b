import {
  DeliveryDeferredError,
  type NotificationSender,
  type NotificationSenders,
  type OutgoingMessage,
  PermanentDeliveryError,
  type RatePolicy,
} from "../core/notifications/delivery.ts";
import { resolveChannels } from "./channels.ts";
import type { Database } from "./client.ts";
import { deliveredNotifications } from "./schema/index.ts";

/**
 * While no channel of the purpose is bound, channel messages wait (and are not counted as failed
 * tries): nothing is lost until HR binds one, and binding one sends them at once.
 */
export class NoChannelBoundError extends DeliveryDeferredError {
  constructor(purpose: string) {
    super(`no ${purpose} channel is bound`, 600);
    this.name = "NoChannelBoundError";
  }
}

/** The recording sink has no platform behind it; this only keeps a runaway loop from flooding the table. */
export const recordingRate: RatePolicy = { ratePerSecond: 100, burst: 100 };

function targetOf(message: OutgoingMessage): string {
  const { recipient } = message;
  if (recipient.type === "person") return recipient.principal;
  if (recipient.type === "system") return recipient.system;
  throw new RangeError("a channel message has one target per bound channel");
}

/**
 * A sender that records what it would send in `delivered_notifications` (the tests read it), for
 * recipient types no surface or connector sends yet. Channel messages go to each bound channel the
 * recipient reaches (one row each); with none bound they wait and retry.
 */
export function recordingSender(database: Database, clock: { now(): Date }): NotificationSender {
  return {
    async send(message) {
      const outboxIds = message.items.map((i) => i.outboxId);
      const base = {
        outboxIds,
        kind: message.kind,
        recipientType: message.recipient.type,
        destination: message.destination,
        data: message.data,
        deliveredAt: clock.now(),
      };
      if (message.recipient.type !== "channel") {
        const [row] = await database.db
          .insert(deliveredNotifications)
          .values({ ...base, target: targetOf(message) })
          .returning({ id: deliveredNotifications.id });
        return { reference: `sink:${row?.id}` };
      }
      const bound = await resolveChannels(database.db, message.recipient);
      if (bound.length === 0) {
        if (message.recipient.bindingId) throw new PermanentDeliveryError("the channel is no longer bound");
        throw new NoChannelBoundError(message.recipient.purpose);
      }
      const rows = await database.db
        .insert(deliveredNotifications)
        .values(
          bound.map((channel) => ({
            ...base,
            target: channel.id,
            platform: channel.platform,
            channelId: channel.channelId,
          })),
        )
        .returning({ id: deliveredNotifications.id });
      return { reference: `sink:${rows.map((r) => r.id).join(",")}` };
    },
  };
}

/** Every recipient type through the recording sink: what Baton uses until surfaces and connectors exist. */
export function recordingSenders(database: Database, clock: { now(): Date }): NotificationSenders {
  const entry = { sender: recordingSender(database, clock), rate: recordingRate };
  return { person: entry, channel: entry, system: entry };
}
