CREATE TABLE "certificate_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"certificate_id" text NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"outbox_dedupe_key" text,
	"evidence_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"employee_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'issued' NOT NULL,
	"content_hash" text NOT NULL,
	"jws" text NOT NULL,
	"verification_id" text NOT NULL,
	"content" jsonb NOT NULL,
	"pdf" jsonb NOT NULL,
	"pdf_hash" text NOT NULL,
	"termination_date" date NOT NULL,
	"issue_date" date NOT NULL,
	"issued_by" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"revoked_by" text,
	"revoked_at" timestamp with time zone,
	"replaced_by" text,
	CONSTRAINT "certificates_case_version_unique" UNIQUE("case_id","version")
);
--> statement-breakpoint
ALTER TABLE "certificate_deliveries" ADD CONSTRAINT "certificate_deliveries_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_verification_id_verifications_id_fk" FOREIGN KEY ("verification_id") REFERENCES "public"."verifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "certificate_deliveries_certificate_idx" ON "certificate_deliveries" USING btree ("certificate_id");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_one_issued_per_case" ON "certificates" USING btree ("case_id") WHERE "certificates"."status" = 'issued';--> statement-breakpoint
CREATE INDEX "certificates_employee_idx" ON "certificates" USING btree ("employee_id");