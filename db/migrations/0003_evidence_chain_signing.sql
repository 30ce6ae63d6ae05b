CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"summary" jsonb NOT NULL,
	"jws" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "evidence_entries" ALTER COLUMN "at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "evidence_entries" ADD COLUMN "ingest" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "evidence_entries_ingest_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "evidence_entries" ADD COLUMN "seq" bigint;--> statement-breakpoint
CREATE INDEX "verifications_subject_idx" ON "verifications" USING btree ("subject");--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_chain_prev_hash_unique" ON "evidence_chain" USING btree ("prev_hash");--> statement-breakpoint
CREATE INDEX "evidence_entries_unchained_idx" ON "evidence_entries" USING btree ("ingest") WHERE "evidence_entries"."seq" is null;--> statement-breakpoint
UPDATE "evidence_entries" AS e SET "seq" = c."seq" FROM "evidence_chain" AS c WHERE c."entry_id" = e."id";
