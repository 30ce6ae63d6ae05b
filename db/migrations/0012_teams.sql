CREATE TABLE "teams_deliveries" (
	"source_key" text NOT NULL,
	"conversation_id" text NOT NULL,
	"activity_id" text,
	"delivered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "teams_deliveries_source_key_conversation_id_pk" PRIMARY KEY("source_key","conversation_id")
);
--> statement-breakpoint
CREATE TABLE "teams_references" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"user_id" text,
	"aad_object_id" text,
	"conversation_id" text NOT NULL,
	"tenant_id" text,
	"service_url" text NOT NULL,
	"reference" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "teams_references_user_idx" ON "teams_references" USING btree ("user_id") WHERE "teams_references"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "teams_references_aad_idx" ON "teams_references" USING btree ("aad_object_id") WHERE "teams_references"."aad_object_id" is not null;--> statement-breakpoint
CREATE INDEX "teams_references_conversation_idx" ON "teams_references" USING btree ("conversation_id");