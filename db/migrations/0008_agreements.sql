CREATE TABLE "course_versions" (
	"course_id" text NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"definition" jsonb NOT NULL,
	"roles" jsonb NOT NULL,
	"imported_by" text NOT NULL,
	"imported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "course_versions_course_id_version_pk" PRIMARY KEY("course_id","version")
);
--> statement-breakpoint
CREATE TABLE "courses" (
	"id" text PRIMARY KEY NOT NULL,
	"latest_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_lesson_progress" (
	"assignment_id" text NOT NULL,
	"lesson" integer NOT NULL,
	"course_version" integer NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"last_activity_at" timestamp with time zone NOT NULL,
	"pages_read" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "training_lesson_progress_assignment_id_lesson_pk" PRIMARY KEY("assignment_id","lesson")
);
--> statement-breakpoint
CREATE TABLE "training_assignments" (
	"id" text PRIMARY KEY NOT NULL,
	"employee_id" text NOT NULL,
	"course_id" text NOT NULL,
	"reason" text NOT NULL,
	"case_id" text,
	"renews_certificate_id" text,
	"status" text DEFAULT 'open' NOT NULL,
	"due_date" date NOT NULL,
	"assigned_by" text NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "training_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"assignment_id" text NOT NULL,
	"number" integer NOT NULL,
	"course_id" text NOT NULL,
	"course_version" integer NOT NULL,
	"seed" bigint NOT NULL,
	"paper" jsonb NOT NULL,
	"answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone,
	"correct" integer,
	"total" integer,
	"score" integer,
	"passed" boolean
);
--> statement-breakpoint
CREATE TABLE "training_certificates" (
	"id" text PRIMARY KEY NOT NULL,
	"assignment_id" text NOT NULL,
	"attempt_id" text NOT NULL,
	"employee_id" text NOT NULL,
	"course_id" text NOT NULL,
	"course_version" integer NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"valid_through" date NOT NULL,
	"jws" text NOT NULL,
	"kid" text NOT NULL,
	"verification_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "training_certificates_assignment_id_unique" UNIQUE("assignment_id")
);
--> statement-breakpoint
CREATE TABLE "case_requests" (
	"principal" text NOT NULL,
	"key" text NOT NULL,
	"request_sha256" text NOT NULL,
	"case_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_requests_principal_key_pk" PRIMARY KEY("principal","key")
);
--> statement-breakpoint
CREATE TABLE "case_steps" (
	"case_id" text NOT NULL,
	"key" text NOT NULL,
	"position" integer NOT NULL,
	"owner_role" text NOT NULL,
	"owner" text NOT NULL,
	"assigned_by" text DEFAULT 'template' NOT NULL,
	"assignment" integer DEFAULT 1 NOT NULL,
	"receiver" text,
	"delegates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text NOT NULL,
	"start_date" date,
	"started_at" timestamp with time zone,
	"due_date" date NOT NULL,
	"due_date_extended" date,
	"due_override" date,
	"completed_at" timestamp with time zone,
	"completed_by" text,
	"outcome" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"next_action_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_steps_case_id_key_pk" PRIMARY KEY("case_id","key")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" text PRIMARY KEY NOT NULL,
	"employee_id" text NOT NULL,
	"separation_type" text NOT NULL,
	"template_id" text NOT NULL,
	"template_version" integer NOT NULL,
	"region" text NOT NULL,
	"time_zone" text NOT NULL,
	"entity_id" text,
	"probation" boolean NOT NULL,
	"notice_date" date NOT NULL,
	"notice_received_at" timestamp with time zone NOT NULL,
	"notice_channel" text NOT NULL,
	"notice_text_sha256" text,
	"reason_sha256" text,
	"legal_last_day" date,
	"requested_last_day" date,
	"agreed_last_day" date,
	"planned_last_day" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"opened_by" text NOT NULL,
	"opened_on" date NOT NULL,
	"exceptions_recorded_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreement_versions" (
	"agreement_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"title" jsonb NOT NULL,
	"text_zh_cn" text NOT NULL,
	"text_en" text NOT NULL,
	"terms" jsonb NOT NULL,
	"roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sign_within_days" integer NOT NULL,
	"hash" text,
	"text_hashes" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	"published_at" timestamp with time zone,
	"published_by" text,
	CONSTRAINT "agreement_versions_agreement_id_version_pk" PRIMARY KEY("agreement_id","version")
);
--> statement-breakpoint
CREATE TABLE "chain_timestamps" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"tsa_url" text NOT NULL,
	"token" text NOT NULL,
	"gen_time" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signature_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"agreement_id" text NOT NULL,
	"version" integer NOT NULL,
	"employee_id" text NOT NULL,
	"reason" text NOT NULL,
	"case_id" text,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"requested_on" date NOT NULL,
	"due_date" date NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"signature_id" text,
	CONSTRAINT "signature_requests_employee_version_unique" UNIQUE("employee_id","agreement_id","version")
);
--> statement-breakpoint
CREATE TABLE "signatures" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"agreement_id" text NOT NULL,
	"version" integer NOT NULL,
	"employee_id" text NOT NULL,
	"signed_at" timestamp (3) with time zone NOT NULL,
	"surface" text NOT NULL,
	"record" jsonb NOT NULL,
	"jws" text NOT NULL,
	"kid" text NOT NULL,
	"evidence_entry_id" text NOT NULL,
	"verification_id" text NOT NULL,
	CONSTRAINT "signatures_employee_version_unique" UNIQUE("employee_id","agreement_id","version")
);
--> statement-breakpoint
ALTER TABLE "course_versions" ADD CONSTRAINT "course_versions_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_lesson_progress" ADD CONSTRAINT "training_lesson_progress_assignment_id_training_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."training_assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_assignments" ADD CONSTRAINT "training_assignments_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_assignments" ADD CONSTRAINT "training_assignments_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_attempts" ADD CONSTRAINT "training_attempts_assignment_id_training_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."training_assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_certificates" ADD CONSTRAINT "training_certificates_assignment_id_training_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."training_assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_certificates" ADD CONSTRAINT "training_certificates_attempt_id_training_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."training_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_certificates" ADD CONSTRAINT "training_certificates_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_requests" ADD CONSTRAINT "case_requests_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_steps" ADD CONSTRAINT "case_steps_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signature_requests" ADD CONSTRAINT "signature_requests_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_request_id_signature_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."signature_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signatures" ADD CONSTRAINT "signatures_evidence_entry_id_evidence_entries_id_fk" FOREIGN KEY ("evidence_entry_id") REFERENCES "public"."evidence_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "training_assignments_open_unique" ON "training_assignments" USING btree ("employee_id","course_id") WHERE "training_assignments"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "training_assignments_renews_unique" ON "training_assignments" USING btree ("renews_certificate_id");--> statement-breakpoint
CREATE INDEX "training_assignments_employee_idx" ON "training_assignments" USING btree ("employee_id");--> statement-breakpoint
CREATE INDEX "training_assignments_open_due_idx" ON "training_assignments" USING btree ("due_date") WHERE "training_assignments"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "training_attempts_number_unique" ON "training_attempts" USING btree ("assignment_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "training_attempts_open_unique" ON "training_attempts" USING btree ("assignment_id") WHERE "training_attempts"."submitted_at" is null;--> statement-breakpoint
CREATE INDEX "training_certificates_employee_idx" ON "training_certificates" USING btree ("employee_id","course_id");--> statement-breakpoint
CREATE INDEX "training_certificates_valid_through_idx" ON "training_certificates" USING btree ("valid_through");--> statement-breakpoint
CREATE INDEX "case_steps_next_action_idx" ON "case_steps" USING btree ("next_action_at") WHERE "case_steps"."next_action_at" is not null;--> statement-breakpoint
CREATE INDEX "case_steps_owner_idx" ON "case_steps" USING btree ("owner");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_one_active_per_employee" ON "cases" USING btree ("employee_id") WHERE "cases"."status" in ('open', 'on-hold');--> statement-breakpoint
CREATE INDEX "cases_status_idx" ON "cases" USING btree ("status");--> statement-breakpoint
CREATE INDEX "signature_requests_pending_idx" ON "signature_requests" USING btree ("due_date") WHERE "signature_requests"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "signatures_request_unique" ON "signatures" USING btree ("request_id");