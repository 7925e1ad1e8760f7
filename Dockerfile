# One image build for the whole workspace; `target: api` and `target: web` pick what runs.
FROM node:22-bookworm-slim AS build
WORKDIR /app
# pnpm exactly as package.json's packageManager pins it (as CI installs it).
COPY package.json ./
RUN npm install -g "pnpm@$(node -p 'require("./package.json").packageManager.split("@")[1]')"
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
