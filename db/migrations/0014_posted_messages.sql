CREATE TABLE "posted_messages" (
	"key" text PRIMARY KEY NOT NULL,
	"reference" text NOT NULL,
	"posted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "posted_messages_posted_at_idx" ON "posted_messages" USING btree ("posted_at");