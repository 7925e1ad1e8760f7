import { defineConfig } from "prisma/config";

// The CLI reads the connection here; the API connects through @prisma/adapter-pg (apps/api/src/infra/prisma.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/frontrow",
  },
});
