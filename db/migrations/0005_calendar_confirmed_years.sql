CREATE TABLE "calendar_confirmed_years" (
	"region" text NOT NULL,
	"year" integer NOT NULL,
	"basis" text NOT NULL,
	"confirmed_by" text NOT NULL,
	"confirmed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "calendar_confirmed_years_region_year_pk" PRIMARY KEY("region","year")
);
