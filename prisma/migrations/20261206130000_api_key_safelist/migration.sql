-- Per-key safelists (docs/partners.md, "Persisted operations"): a key in safelist mode runs only the
-- operations registered for it, found by the SHA-256 of their text (Apollo's persisted-query hash).
ALTER TABLE "api_key" ADD COLUMN "safelist" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "api_key_operation" (
    "api_key_id" UUID NOT NULL,
    "sha256" TEXT NOT NULL,
    "name" TEXT,
    "document" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "api_key_operation_pkey" PRIMARY KEY ("api_key_id", "sha256")
);

ALTER TABLE "api_key_operation" ADD CONSTRAINT "api_key_operation_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_key"("id") ON DELETE CASCADE ON UPDATE CASCADE;
