import type { Config } from "../config.js";
import type { Services } from "../graphql/context.js";
import type { HttpRoute } from "../http/util.js";
import { MODULES } from "../modules/index.js";
import type { BackgroundWork, FrontrowModule, ModuleDependencies } from "../modules/module.js";
import type { Infrastructure } from "./infrastructure.js";

// Stage 2: every module's services and background work, set up in the order of MODULES.

export interface Composition {
  services: Services;
  background: BackgroundWork;
  /** The modules' plain HTTP routes, by path. */
  routes: Map<string, HttpRoute>;
  /** Stops the modules in reverse order: each after every module that uses it. */
  stop(deadline: number): Promise<void>;
}

export type CompositionOverrides = ModuleDependencies["overrides"];

/** The services so far, refusing a read of one no earlier module provides (MODULES is out of order). */
function providedBefore(services: Services, module: () => string): Services {
  return new Proxy(services, {
    get(target, name, receiver) {
      if (typeof name === "string" && !(name in target)) {
        throw new Error(`module ${module()} uses ${name}, which no module before it in MODULES provides`);
      }
      return Reflect.get(target, name, receiver);
    },
  });
}

export function composeServices(
  config: Config,
  infrastructure: Infrastructure,
  overrides: CompositionOverrides = {},
  modules: readonly FrontrowModule[] = MODULES,
): Composition {
  const services = {} as Services;
  const background = {} as BackgroundWork;
  const stops: ((deadline: number) => Promise<void>)[] = [];
  const routes = new Map<string, HttpRoute>();
  let current = "";
  const deps: ModuleDependencies = {
    config,
    ...infrastructure,
    services: providedBefore(services, () => current),
    overrides,
  };
  for (const module of modules) {
    current = module.name;
    const parts = module.setup(deps);
    Object.assign(services, parts.services);
    Object.assign(background, parts.background);
    if (parts.stop) stops.push(parts.stop);
    for (const [path, route] of Object.entries(parts.routes ?? {})) {
      if (routes.has(path))
        throw new Error(`module ${module.name} adds the route ${path}, which another module serves`);
      routes.set(path, route);
    }
  }
  return {
    services,
    background,
    routes,
    async stop(deadline) {
      for (const stop of stops.reverse()) await stop(deadline);
    },
  };
}
