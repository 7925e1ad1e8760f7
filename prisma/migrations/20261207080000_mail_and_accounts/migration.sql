-- Mail and accounts (docs/notifications.md, docs/defences.md): the language mails to an account are
-- written in, when its email address was last proven, password resets (only a hash of each link's
-- token), and one row per email the mail consumer sends (its exactly-once record).
ALTER TABLE "user_account"
    ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en',
    ADD COLUMN "email_verified_at" TIMESTAMPTZ(3);

CREATE TABLE "password_reset" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    -- SHA-256 of the emailed token: a copy of this table resets no password.
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    CONSTRAINT "password_reset_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "password_reset_token_hash_key" ON "password_reset"("token_hash");
CREATE INDEX "password_reset_user_id_idx" ON "password_reset"("user_id");
ALTER TABLE "password_reset" ADD CONSTRAINT "password_reset_user_id_fkey" FOREIGN KEY ("user_id")
    REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One email: made by the mail consumer from one outbox event for one recipient, sent by its own job.
-- The unique key is what makes a retried or repeated event mail nobody twice.
CREATE TABLE "mail_message" (
    "id" BIGSERIAL NOT NULL,
    "outbox_event_id" BIGINT NOT NULL,
    "recipient" TEXT NOT NULL,
    "user_id" UUID,
    "template" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- Set when a worker starts talking to the SMTP server for it (a crash after this may have sent it).
    "sending_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    CONSTRAINT "mail_message_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "mail_message_status_check" CHECK ("status" IN ('PENDING', 'SENT', 'FAILED'))
);

CREATE UNIQUE INDEX "mail_message_outbox_event_id_recipient_key" ON "mail_message"("outbox_event_id", "recipient");
CREATE INDEX "mail_message_status_created_at_idx" ON "mail_message"("status", "created_at");
