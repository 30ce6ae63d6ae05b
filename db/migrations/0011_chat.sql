CREATE SEQUENCE "public"."web_message_revision_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "conversations" (
	"surface" text NOT NULL,
	"chat_id" text NOT NULL,
	"principal" text NOT NULL,
	"kind" text NOT NULL,
	"state" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "conversations_surface_chat_id_principal_kind_pk" PRIMARY KEY("surface","chat_id","principal","kind")
);
--> statement-breakpoint
CREATE TABLE "web_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"principal" text NOT NULL,
	"role" text NOT NULL,
	"text" text,
	"card" jsonb,
	"kind" text,
	"source_key" text,
	"revision" bigint DEFAULT nextval('web_message_revision_seq') NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "web_messages_principal_revision_idx" ON "web_messages" USING btree ("principal","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "web_messages_source_unique" ON "web_messages" USING btree ("principal","source_key") WHERE "web_messages"."source_key" is not null;