CREATE TABLE "email_sign_ins" (
	"email_normalized" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"token_hash" text NOT NULL,
	"code_hash" text NOT NULL,
	"tries" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "email_sign_ins_token_hash_key" ON "email_sign_ins" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "email_sign_ins_expires_at_idx" ON "email_sign_ins" USING btree ("expires_at");