import { createHash } from "node:crypto";
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
import type { TickJob } from "../../core/ports.ts";
import { resolveChannels } from "../../db/channels.ts";
import type { Db } from "../../db/client.ts";
import { purgePosts, recallPost, recordPost } from "../../db/posted-messages.ts";
import { localeOfPrincipal } from "../../db/surface-people.ts";
import type { ModuleServices } from "./services.ts";

/**
 * Posts that succeeded, by outbox rows and target, so a retry of a message that failed part-way
 * (another channel, a sender in front) does not post them again — kept in the database
 * (`posted_messages`), so a restart or another instance does not post them again either. Each
 * sender has its own namespace. Only a crash between the platform's answer and the record can
 * still post twice (the platforms have no idempotency key for these posts).
 */
export class PostedMemory {
  private readonly recent = new Map<string, string>();
  constructor(
    private readonly db: Db,
    private readonly namespace: string,
    private readonly now: () => Date = () => new Date(),
  ) {}
  key(message: OutgoingMessage, target: string): string {
    const ids = message.items.map((i) => i.outboxId).join(",");
    return `${this.namespace}:${createHash("sha256").update(`${ids}|${target}`).digest("hex")}`;
  }
  async get(key: string): Promise<string | undefined> {
    const known = this.recent.get(key);
    if (known !== undefined) return known;
    const stored = await recallPost(this.db, key);
    if (stored !== undefined) this.remember(key, stored);
    return stored;
  }
  /**
   * Posts `message` to `target` once: the reference of an earlier post of it, or `post()`'s
   * reference, remembered. A failing `post()` throws and nothing is remembered (the outbox retries).
   */
  async once(message: OutgoingMessage, target: string, post: () => Promise<string>): Promise<string> {
    const key = this.key(message, target);
    const known = await this.get(key);
    if (known !== undefined) return known;
    const reference = await post();
    await this.set(key, reference);
    return reference;
  }
  /** Never throws: the post has happened; if the record cannot be written, this process still knows. */
  async set(key: string, reference: string): Promise<void> {
    this.remember(key, reference);
    try {
      await recordPost(this.db, key, reference, this.now());
    } catch {
      // Kept in `recent`; a retry in this process still skips the post.
    }
  }
  private remember(key: string, reference: string): void {
    if (this.recent.size >= 10_000) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.set(key, reference);
  }
}

/** Housekeeping on the scheduler's tick: records of posts older than 30 days go. */
export function postedMessagesPurgeJob(services: Pick<ModuleServices, "database">): TickJob {
  return {
    name: "posted-messages.purge",
    async run(now) {
      await purgePosts(services.database.db, new Date(now.getTime() - 30 * 24 * 3600_000));
    },
  };
}

/** The references of every sender a message went through, space-separated (kept on the outbox row). */
export const joinReferences = (...refs: (string | undefined)[]): string | undefined =>
  refs.filter((r): r is string => r !== undefined && r !== "").join(" ") || undefined;

/**
 * Posts a channel message's card to every channel bound for its recipient on `platform` (in the
 * language of the HR person who bound each), once each; answers the references, one a channel.
 */
export async function postToBoundChannels(
  db: Db,
  platform: ChannelPlatform,
  message: OutgoingMessage,
  memory: PostedMemory,
  post: (channelId: string, card: CardNode) => Promise<string>,
): Promise<string[]> {
  if (message.recipient.type !== "channel") return [];
  const bound = (await resolveChannels(db, message.recipient)).filter((c) => c.platform === platform);
  const references: string[] = [];
  for (const channel of bound) {
    references.push(
      await memory.once(message, channel.id, async () => {
        const locale = await localeOfPrincipal(db, channel.boundBy);
        return post(
          channel.channelId,
          cardForNotification(message.kind, message.data, { locale, t: translate }),
        );
      }),
    );
  }
  return references;
}

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
  const memory = new PostedMemory(db, `${platform}:channel`);
  const send: NotificationSender["send"] = async (message) => {
    const result = await next.sender.send(message);
    if (message.recipient.type !== "channel") return result;
    const references = await postToBoundChannels(db, platform, message, memory, (channelId, card) =>
      post(channelId, card, message),
    );
    const reference = joinReferences(result.reference, ...references);
    return reference === undefined ? {} : { reference };
  };
  return { sender: { send }, rate: options.rate };
}
