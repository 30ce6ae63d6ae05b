CREATE TABLE "delivered_notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"outbox_ids" bigint[] NOT NULL,
	"kind" text NOT NULL,
	"recipient_type" text NOT NULL,
	"destination" text NOT NULL,
	"target" text NOT NULL,
	"platform" text,
	"channel_id" text,
	"data" jsonb NOT NULL,
	"delivered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox_rate_limits" (
	"destination" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL,
	"blocked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "inbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"payload" jsonb,
	"payload_sha256" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"leased_by" text,
	"last_error" text,
	"processed_at" timestamp with time zone,
	CONSTRAINT "inbox_source_key_unique" UNIQUE("source","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"channel_id" text NOT NULL,
	"purpose" text NOT NULL,
	"entity_id" text,
	"name" text,
	"bound_by" text NOT NULL,
	"bound_at" timestamp with time zone NOT NULL,
	"unbound_by" text,
	"unbound_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scheduler_leases" (
	"job" text PRIMARY KEY NOT NULL,
	"leased_by" text NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_outcome" text
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "message_ref" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "dead_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_entity_id_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "delivered_notifications_destination_idx" ON "delivered_notifications" USING btree ("destination");--> statement-breakpoint
CREATE INDEX "inbox_open_idx" ON "inbox" USING btree ("not_before") WHERE "inbox"."status" in ('pending', 'processing');--> statement-breakpoint
CREATE UNIQUE INDEX "channels_bound_unique" ON "channels" USING btree ("platform","channel_id","purpose") WHERE "channels"."unbound_at" is null;--> statement-breakpoint
CREATE INDEX "channels_purpose_idx" ON "channels" USING btree ("purpose") WHERE "channels"."unbound_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_leased_idx" ON "outbox" USING btree ("lease_until") WHERE "outbox"."status" = 'sending';--> statement-breakpoint
CREATE INDEX "outbox_dead_idx" ON "outbox" USING btree ("dead_at") WHERE "outbox"."status" = 'dead';