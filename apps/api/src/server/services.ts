import type { Config } from "../config.js";
import type { Services } from "../graphql/context.js";
import { MODULES } from "../modules/index.js";
import type { BackgroundWork, FrontrowModule, ModuleDependencies, ModuleRoute } from "../modules/module.js";
import type { Infrastructure } from "./infrastructure.js";

// Stage 2: every module's services and background work, set up in the order of MODULES.

export interface Composition {
  services: Services;
  background: BackgroundWork;
  /** The modules' HTTP routes by path. */
  routes: Map<string, ModuleRoute>;
  /** Starts the modules' background work, in their order, once the instance is built. */
  start(): void;
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
  const routes = new Map<string, ModuleRoute>();
  const starts: (() => void)[] = [];
  const stops: ((deadline: number) => Promise<void>)[] = [];
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
    for (const [path, route] of Object.entries(parts.routes ?? {})) routes.set(path, route);
    if (parts.start) starts.push(parts.start);
    if (parts.stop) stops.push(parts.stop);
  }
  return {
    services,
    background,
    routes,
    start() {
      for (const start of starts) start();
    },
    async stop(deadline) {
      for (const stop of stops.reverse()) await stop(deadline);
    },
  };
}
