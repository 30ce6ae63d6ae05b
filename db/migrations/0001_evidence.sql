CREATE TABLE "evidence_chain" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"entry_id" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"chained_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evidence_chain_entry_id_unique" UNIQUE("entry_id")
);
--> statement-breakpoint
CREATE TABLE "evidence_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evidence_chain" ADD CONSTRAINT "evidence_chain_entry_id_evidence_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."evidence_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evidence_entries_subject_idx" ON "evidence_entries" USING btree ("subject");