import type { CardNode } from "../../cards/model.ts";
import { cardForNotification } from "../../cards/templates/notifications.ts";
import { translate } from "../../core/messages/index.ts";
import type { ChannelPlatform } from "../../core/notifications/channels.ts";
import type {
  NotificationSender,
  OutgoingMessage,
  RatePolicy,
  SenderEntry,
} from "../../core/notifications/delivery.ts";
import { resolveChannels } from "../../db/channels.ts";
import type { Db } from "../../db/client.ts";
import { localeOfPrincipal } from "../../db/surface-people.ts";

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

/** Posts one notification card to one bound group chat; answers the platform's reference for it. */
export type ChannelPoster = (channelId: string, card: CardNode, message: OutgoingMessage) => Promise<string>;

/**
 * The `channel` sender of one chat platform behind `next`: `next` delivers first (the recording
 * fan-out), then each channel bound for the recipient on `platform` gets the notification's card,
 * in the language of the HR person who bound it. A failure throws the poster's mapped error so the
 * outbox retries; channels already posted to (this process) are not posted again.
 */
export function boundChannelEntry(options: {
  db: Db;
  platform: ChannelPlatform;
  rate: RatePolicy;
  next: SenderEntry;
  post: ChannelPoster;
}): SenderEntry {
  const { db, platform, next, post } = options;
  const memory = new PostedMemory();
  const send: NotificationSender["send"] = async (message) => {
    const result = await next.sender.send(message);
    if (message.recipient.type !== "channel") return result;
    const bound = (await resolveChannels(db, message.recipient)).filter((c) => c.platform === platform);
    const references: string[] = [];
    for (const channel of bound) {
      const key = memory.key(message, channel.id);
      const known = memory.get(key);
      if (known) {
        references.push(known);
        continue;
      }
      const locale = await localeOfPrincipal(db, channel.boundBy);
      const reference = await post(
        channel.channelId,
        cardForNotification(message.kind, message.data, { locale, t: translate }),
        message,
      );
      memory.set(key, reference);
      references.push(reference);
    }
    const reference = joinReferences(result.reference, ...references);
    return reference === undefined ? {} : { reference };
  };
  return { sender: { send }, rate: options.rate };
}
