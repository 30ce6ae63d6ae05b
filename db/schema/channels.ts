import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import type { ChannelPlatform, ChannelPurpose } from "../../core/notifications/channels.ts";
import { entities } from "./directory.ts";

/**
 * Group chats bound as HR or finance channels (DESIGN §7). Alerts for an entity go to its bound
 * channels and to those bound for all entities (`entityId` null). Unbinding keeps the row
 * (`unboundAt`): the evidence entries refer to it.
 */
export const channels = pgTable(
  "channels",
  {
    id: text("id").primaryKey(),
    platform: text("platform").$type<ChannelPlatform>().notNull(),
    channelId: text("channel_id").notNull(),
    purpose: text("purpose").$type<ChannelPurpose>().notNull(),
    entityId: text("entity_id").references(() => entities.id),
    name: text("name"),
    boundBy: text("bound_by").notNull(),
    boundAt: timestamp("bound_at", { withTimezone: true, mode: "date" }).notNull(),
    unboundBy: text("unbound_by"),
    unboundAt: timestamp("unbound_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    uniqueIndex("channels_bound_unique")
      .on(t.platform, t.channelId, t.purpose)
      .where(sql`${t.unboundAt} is null`),
    index("channels_purpose_idx").on(t.purpose).where(sql`${t.unboundAt} is null`),
  ],
);
