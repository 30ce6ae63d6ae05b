import { createHash, randomUUID } from "node:crypto";
import { and, asc, eq, isNull, or } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { ChannelPlatform, ChannelPurpose } from "../core/notifications/channels.ts";
import type { Recipient } from "../core/notifications/notification.ts";
import type { Db } from "./client.ts";
import { enqueueNotification, releaseChannelRows } from "./outbox.ts";
import { recordEvidence } from "./repositories/evidence.ts";
import { channels, entities } from "./schema/index.ts";

export type ChannelBinding = {
  id: string;
  platform: ChannelPlatform;
  channelId: string;
  purpose: ChannelPurpose;
  /** null: the channel gets alerts for every entity. */
  entityId: string | null;
  name: string | null;
  boundBy: string;
  boundAt: string;
};

type Row = typeof channels.$inferSelect;

function view(row: Row): ChannelBinding {
  return {
    id: row.id,
    platform: row.platform,
    channelId: row.channelId,
    purpose: row.purpose,
    entityId: row.entityId,
    name: row.name,
    boundBy: row.boundBy,
    boundAt: row.boundAt.toISOString(),
  };
}

export type BindInput = {
  platform: ChannelPlatform;
  channelId: string;
  purpose: ChannelPurpose;
  entityId?: string | undefined;
  name?: string | undefined;
  actor: string;
  at: Date;
};

/**
 * Binds a group channel as an HR or finance channel, with an evidence entry and a confirmation
 * message to the channel, in the caller's transaction. Binding the same channel for the same
 * purpose and entity again changes nothing (`created: false`); for another entity it is a conflict
 * (unbind it first). An unknown entity is a 422.
 */
export async function bindChannel(
  tx: Db,
  input: BindInput,
): Promise<{ channel: ChannelBinding; created: boolean }> {
  const entityId = input.entityId ?? null;
  if (entityId !== null) {
    const [entity] = await tx.select({ id: entities.id }).from(entities).where(eq(entities.id, entityId));
    if (!entity) {
      throw new AppError("unprocessable", `No entity has the id ${entityId}.`, {
        messageKey: "channels.unknown_entity",
        params: { entityId },
      });
    }
  }
  const id = randomUUID();
  const inserted = await tx
    .insert(channels)
    .values({
      id,
      platform: input.platform,
      channelId: input.channelId,
      purpose: input.purpose,
      entityId,
      name: input.name ?? null,
      boundBy: input.actor,
      boundAt: input.at,
    })
    .onConflictDoNothing()
    .returning();
  const row = inserted[0];
  if (!row) {
    const [existing] = await tx
      .select()
      .from(channels)
      .where(
        and(
          eq(channels.platform, input.platform),
          eq(channels.channelId, input.channelId),
          eq(channels.purpose, input.purpose),
          isNull(channels.unboundAt),
        ),
      );
    if (existing && existing.entityId === entityId) return { channel: view(existing), created: false };
    throw new AppError("conflict", "This channel is already bound for this purpose with another entity.", {
      messageKey: "channels.bound_elsewhere",
    });
  }
  await recordEvidence(tx, {
    at: input.at,
    actor: input.actor,
    action: "channel.bound",
    subject: `channel:${id}`,
    data: {
      platform: input.platform,
      channelId: input.channelId,
      purpose: input.purpose,
      entityId,
    },
  });
  await releaseChannelRows(tx, input.purpose, input.at);
  await enqueueNotification(
    tx,
    {
      kind: "channel.bound",
      recipient: {
        type: "channel",
        purpose: input.purpose,
        bindingId: id,
        ...(entityId ? { entityId } : {}),
      },
      data: { bindingId: id, purpose: input.purpose, entityId, boundBy: input.actor },
      dedupeKey: `channel.bound:${id}`,
    },
    input.at,
  );
  return { channel: view(row), created: true };
}

/**
 * Unbinds a channel, with an evidence entry (the reason, when given, as its hash); a channel that
 * is not bound is a 404.
 */
export async function unbindChannel(
  tx: Db,
  input: { id: string; actor: string; at: Date; reason?: string | undefined },
): Promise<void> {
  const rows = await tx
    .update(channels)
    .set({ unboundAt: input.at, unboundBy: input.actor })
    .where(and(eq(channels.id, input.id), isNull(channels.unboundAt)))
    .returning();
  const row = rows[0];
  if (!row) {
    throw new AppError("not_found", "No bound channel has this id.", { messageKey: "channels.not_found" });
  }
  await recordEvidence(tx, {
    at: input.at,
    actor: input.actor,
    action: "channel.unbound",
    subject: `channel:${row.id}`,
    data: {
      platform: row.platform,
      channelId: row.channelId,
      purpose: row.purpose,
      entityId: row.entityId,
      ...(input.reason
        ? { reasonSha256: createHash("sha256").update(input.reason, "utf8").digest("hex") }
        : {}),
    },
  });
}

/** Bound channels, optionally of one purpose, oldest first. */
export async function listChannels(
  db: Db,
  filter: { purpose?: ChannelPurpose } = {},
): Promise<ChannelBinding[]> {
  const rows = await db
    .select()
    .from(channels)
    .where(and(isNull(channels.unboundAt), filter.purpose ? eq(channels.purpose, filter.purpose) : undefined))
    .orderBy(asc(channels.boundAt), asc(channels.purpose), asc(channels.platform), asc(channels.channelId));
  return rows.map(view);
}

/**
 * The bound channels a channel recipient reaches: one binding (`bindingId`), the entity's channels
 * and those bound for all entities (`entityId`), or every channel of the purpose.
 */
export async function resolveChannels(
  db: Db,
  recipient: Extract<Recipient, { type: "channel" }>,
): Promise<ChannelBinding[]> {
  const bound = and(isNull(channels.unboundAt), eq(channels.purpose, recipient.purpose));
  const scope = recipient.bindingId
    ? eq(channels.id, recipient.bindingId)
    : recipient.entityId
      ? or(eq(channels.entityId, recipient.entityId), isNull(channels.entityId))
      : undefined;
  const rows = await db
    .select()
    .from(channels)
    .where(and(bound, scope))
    .orderBy(asc(channels.boundAt), asc(channels.id));
  return rows.map(view);
}
