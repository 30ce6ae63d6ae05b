CREATE TABLE "dingtalk_callback_pairs" (
	"replay_key" text PRIMARY KEY NOT NULL,
	"body_sha256" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dingtalk_confirm_codes" (
	"jti" text PRIMARY KEY NOT NULL,
	"principal" text NOT NULL,
	"code_sha256" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dingtalk_callback_pairs_expires_idx" ON "dingtalk_callback_pairs" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "dingtalk_confirm_codes_expires_idx" ON "dingtalk_confirm_codes" USING btree ("expires_at");