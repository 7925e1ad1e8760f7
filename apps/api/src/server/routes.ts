import { type HttpRoute, sendJson } from "../http/util.js";
import type { Metrics } from "../infra/metrics.js";
import type { Db } from "../infra/prisma.js";
import { pingRedis, type RedisClient } from "../infra/redis.js";
import { withTimeout } from "../lib/with-timeout.js";

// The operational routes: liveness, readiness and Prometheus metrics.

export interface RouteDependencies {
  db: Db;
  redis: RedisClient;
  metrics: Metrics;
}

export type Route = HttpRoute;

export function operationalRoutes({ db, redis, metrics }: RouteDependencies): Map<string, Route> {
  async function readiness() {
    const [postgres, redisUp] = await Promise.all([
      withTimeout(db.$queryRaw`SELECT 1`, 2_000).then(
        () => true,
        () => false,
      ),
      pingRedis(redis),
    ]);
    return { postgres, redis: redisUp };
  }

  return new Map<string, Route>([
    [
      "/healthz",
      async (_req, res) => {
        sendJson(res, 200, { status: "ok" });
      },
    ],
    [
      "/readyz",
      async (_req, res) => {
        const checks = await readiness();
        const status = !checks.postgres ? "unavailable" : checks.redis ? "ready" : "degraded";
        // Without Redis the API still serves (slower): only a Postgres outage takes it out of rotation.
        sendJson(res, checks.postgres ? 200 : 503, {
          status,
          postgres: checks.postgres ? "up" : "down",
          redis: checks.redis ? "up" : "down",
        });
      },
    ],
    [
      "/metrics",
      async (_req, res) => {
        res.writeHead(200, { "content-type": metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
      },
    ],
  ]);
}
