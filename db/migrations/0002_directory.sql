CREATE TABLE "employee_data_keys" (
	"employee_id" text PRIMARY KEY NOT NULL,
	"kid" text NOT NULL,
	"wrapped_key" text,
	"master_kid" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"destroyed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "employee_identities" (
	"employee_id" text NOT NULL,
	"platform" text NOT NULL,
	"platform_user_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "employee_identities_employee_id_platform_pk" PRIMARY KEY("employee_id","platform"),
	CONSTRAINT "employee_identities_platform_platform_user_id_unique" UNIQUE("platform","platform_user_id")
);
--> statement-breakpoint
CREATE TABLE "employees" (
	"id" text PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"locale" text DEFAULT 'zh-CN' NOT NULL,
	"jurisdiction" text DEFAULT 'CN' NOT NULL,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"entity_id" text,
	"department" text,
	"role" text,
	"position" text,
	"manager_id" text,
	"functions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"hire_date" date,
	"service_start_date" date,
	"probation_end_date" date,
	"contract_type" text,
	"contract_start_date" date,
	"contract_end_date" date,
	"personal_email" jsonb,
	"id_number" jsonb,
	"bank_account" jsonb,
	"average_monthly_wage_fen" integer,
	"annual_leave_days" numeric(5, 1),
	"annual_leave_taken_days" numeric(5, 1),
	"pay_facts_updated_by" text,
	"pay_facts_updated_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "employees_external_id_unique" UNIQUE("external_id")
);
--> statement-breakpoint
CREATE TABLE "entities" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"city" text NOT NULL,
	"calendar_region" text DEFAULT 'CN' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entity_wage_rates" (
	"entity_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"effective_from" date NOT NULL,
	CONSTRAINT "entity_wage_rates_entity_id_kind_effective_from_pk" PRIMARY KEY("entity_id","kind","effective_from")
);
--> statement-breakpoint
CREATE TABLE "identity_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"employee_id" text NOT NULL,
	"platform" text NOT NULL,
	"previous_id" text,
	"new_id" text,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "employee_data_keys" ADD CONSTRAINT "employee_data_keys_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employee_identities" ADD CONSTRAINT "employee_identities_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employees" ADD CONSTRAINT "employees_entity_id_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "employees" ADD CONSTRAINT "employees_manager_id_employees_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entity_wage_rates" ADD CONSTRAINT "entity_wage_rates_entity_id_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."entities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_changes" ADD CONSTRAINT "identity_changes_employee_id_employees_id_fk" FOREIGN KEY ("employee_id") REFERENCES "public"."employees"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "employees_manager_idx" ON "employees" USING btree ("manager_id");--> statement-breakpoint
CREATE INDEX "employees_entity_idx" ON "employees" USING btree ("entity_id");--> statement-breakpoint
CREATE INDEX "identity_changes_employee_idx" ON "identity_changes" USING btree ("employee_id");