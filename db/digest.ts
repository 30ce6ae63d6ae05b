import { inArray } from "drizzle-orm";
import type { DigestSection } from "../core/notifications/digest.ts";
import { isAtOrAfter, type LocalTime, localTime } from "../core/notifications/local-time.ts";
import type { Signer, TickJob } from "../core/ports.ts";
import { type ChannelBinding, listChannels } from "./channels.ts";
import type { Database } from "./client.ts";
import { chainHead, unchainedCount } from "./evidence-chain.ts";
import { enqueueNotification } from "./outbox.ts";
import { outbox } from "./schema/index.ts";

export const dailyDigestJobName = "hr-daily-digest";

/** The dedupe key of one channel's digest for one local date. */
export const digestKey = (bindingId: string, date: string) => `hr.digest:${bindingId}:${date}`;

export type DigestOptions = {
  database: Database;
  signer: Signer;
  /** `typ` of the signed chain head (the same as `GET /api/v1/audit/head`). */
  headType: string;
  /** BATON_TIMEZONE: the digest goes out at `hour`:00 there. */
  timeZone: string;
  sections: readonly DigestSection[];
  /** Default 9. */
  hour?: number;
};

/** The audit chain's head right now, signed, as the digest publishes it outside Baton. */
async function signedHead(options: DigestOptions, now: Date) {
  const [head, pending] = await Promise.all([chainHead(options.database), unchainedCount(options.database)]);
  if (!head) return { auditHead: null, pendingEvidence: pending };
  const body = { seq: head.seq, hash: head.hash, chainedAt: head.chainedAt.toISOString() };
  const signed = await options.signer.sign({ ...body, at: now.toISOString() }, options.headType);
  return { auditHead: { ...body, jws: signed.jws, kid: signed.kid }, pendingEvidence: pending };
}

/** Composes one channel's digest: each section for the channel's entity, and the signed chain head. */
export async function composeDigest(
  options: DigestOptions,
  input: {
    channel: ChannelBinding;
    local: LocalTime;
    now: Date;
    head: Awaited<ReturnType<typeof signedHead>>;
  },
): Promise<Record<string, unknown>> {
  const sections: Record<string, unknown> = {};
  for (const section of options.sections) {
    sections[section.name] = await section.summarize({
      entityId: input.channel.entityId,
      today: input.local.date,
      now: input.now,
    });
  }
  return {
    date: input.local.date,
    timeZone: options.timeZone,
    bindingId: input.channel.id,
    entityId: input.channel.entityId,
    sections,
    ...input.head,
  };
}

/**
 * HR's daily digest (DESIGN §6): once a day from `hour`:00 in BATON_TIMEZONE, one `hr.digest` to
 * each bound HR channel with every registered section for that channel's entity and the audit
 * chain's head, signed — publishing the head in the channel is what makes rewriting the chain
 * before it detectable. A tick after a missed 09:00 still sends that day's digest; the dedupe key
 * (channel and date) keeps it to one.
 */
export function dailyDigestJob(options: DigestOptions): TickJob {
  const hour = options.hour ?? 9;
  return {
    name: dailyDigestJobName,
    async run(now) {
      const local = localTime(now, options.timeZone);
      if (!isAtOrAfter(local, hour)) return;
      const { db } = options.database;
      const bound = await listChannels(db, { purpose: "hr" });
      if (bound.length === 0) return;
      const keys = bound.map((c) => digestKey(c.id, local.date));
      const sent = new Set(
        (await db.select({ key: outbox.dedupeKey }).from(outbox).where(inArray(outbox.dedupeKey, keys))).map(
          (r) => r.key,
        ),
      );
      const due = bound.filter((c) => !sent.has(digestKey(c.id, local.date)));
      if (due.length === 0) return;
      const head = await signedHead(options, now);
      for (const channel of due) {
        const data = await composeDigest(options, { channel, local, now, head });
        await enqueueNotification(
          db,
          {
            kind: "hr.digest",
            recipient: {
              type: "channel",
              purpose: "hr",
              bindingId: channel.id,
              ...(channel.entityId ? { entityId: channel.entityId } : {}),
            },
            data,
            dedupeKey: digestKey(channel.id, local.date),
          },
          now,
        );
      }
    },
  };
}
