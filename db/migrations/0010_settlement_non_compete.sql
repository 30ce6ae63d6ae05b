CREATE TABLE "handover_accounts" (
	"case_id" text NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"kind" text,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "handover_accounts_case_id_account_id_pk" PRIMARY KEY("case_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "settlements" (
	"case_id" text PRIMARY KEY NOT NULL,
	"finance_status" text DEFAULT 'not-requested' NOT NULL,
	"finance_items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"finance_requested_at" timestamp with time zone,
	"finance_answered_at" timestamp with time zone,
	"final_wages_fen" bigint,
	"final_wages_source" text,
	"severance_facts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "employee_non_compete_categories" (
	"employee_id" text PRIMARY KEY NOT NULL,
	"category" text NOT NULL,
	"basis" text,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "non_compete_payments" (
	"non_compete_id" text NOT NULL,
	"month" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"confirmed_by" text NOT NULL,
	"confirmed_at" timestamp with time zone NOT NULL,
	"evidence_id" text NOT NULL,
	CONSTRAINT "non_compete_payments_non_compete_id_month_pk" PRIMARY KEY("non_compete_id","month")
);
--> statement-breakpoint
CREATE TABLE "non_competes" (
	"id" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"employee_id" text NOT NULL,
	"decision" text NOT NULL,
	"status" text NOT NULL,
	"category" text,
	"months" integer,
	"monthly_pay_fen" bigint,
	"default_monthly_pay_fen" bigint,
	"start_date" date,
	"end_date" date,
	"time_zone" text NOT NULL,
	"employee_may_end_since" timestamp with time zone,
	"ended_on" date,
	"ended_by" text,
	"extra_compensation_fen" bigint,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"reason_sha256" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "non_competes_case_id_unique" UNIQUE("case_id")
);
--> statement-breakpoint
CREATE TABLE "connector_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"system" text NOT NULL,
	"inbox_id" bigint NOT NULL,
	"webhook_id" text NOT NULL,
	"payload" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"result" jsonb,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone,
	CONSTRAINT "connector_actions_inbox_id_unique" UNIQUE("inbox_id")
);
--> statement-breakpoint
CREATE TABLE "connector_requests" (
	"case_id" text NOT NULL,
	"system" text NOT NULL,
	"step_key" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connector_requests_case_id_system_pk" PRIMARY KEY("case_id","system")
);
--> statement-breakpoint
ALTER TABLE "handover_accounts" ADD CONSTRAINT "handover_accounts_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlements" ADD CONSTRAINT "settlements_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employee_non_compete_categories" ADD CONSTRAINT "employee_non_compete_categories_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_compete_payments" ADD CONSTRAINT "non_compete_payments_non_compete_id_non_competes_id_fk" FOREIGN KEY ("non_compete_id") REFERENCES "public"."non_competes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_competes" ADD CONSTRAINT "non_competes_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_competes" ADD CONSTRAINT "non_competes_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_requests" ADD CONSTRAINT "connector_requests_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "non_competes_active_idx" ON "non_competes" USING btree ("status") WHERE "non_competes"."status" = 'active';--> statement-breakpoint
CREATE INDEX "connector_actions_pending_idx" ON "connector_actions" USING btree ("not_before") WHERE "connector_actions"."status" = 'pending';