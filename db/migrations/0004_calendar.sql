CREATE TABLE "calendar_overrides" (
	"region" text NOT NULL,
	"date" date NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_overrides_region_date_pk" PRIMARY KEY("region","date"),
	CONSTRAINT "calendar_overrides_kind_check" CHECK ("calendar_overrides"."kind" in ('work', 'rest'))
);
--> statement-breakpoint
CREATE TABLE "calendar_provisional_years" (
	"region" text NOT NULL,
	"year" integer NOT NULL,
	"evidence_id" text NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "calendar_provisional_years_region_year_pk" PRIMARY KEY("region","year")
);
