# One image build for the whole workspace; `target: api` and `target: web` pick what runs.
FROM node:22-bookworm-slim AS build
RUN npm install -g pnpm@12.21.0
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build

FROM build AS api
ENV NODE_ENV=production PORT=4000
WORKDIR /app/apps/api
EXPOSE 4000
CMD ["node", "--enable-source-maps", "dist/src/main.js"]

FROM build AS web
ENV NODE_ENV=production
WORKDIR /app/apps/web
EXPOSE 3000
CMD ["pnpm", "start"]
