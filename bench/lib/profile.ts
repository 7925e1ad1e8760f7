// Where an API process's CPU went, from the .cpuprofile that `--cpu-prof` wrote (issue 20: "find where
// the time goes before changing anything"): self time by area (Frontrow's modules, each dependency,
// Node's internals, the garbage collector) and the costliest functions.

/** The parts of V8's .cpuprofile format read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  /** Of the profile's busy time (idle excluded). */
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  areas: ProfileShare[];
  functions: ProfileShare[];
}

const PACKAGE = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//;
const FRONTROW = /apps\/api\/dist\/src\/((?:modules\/)?[^/]+)/;

/** The area a frame's code belongs to: `frontrow modules/holds`, a package's name, `node:…`, `(gc)`. */
export function areaOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const dependency = PACKAGE.exec(url);
  if (dependency) return dependency[1] as string;
  const own = FRONTROW.exec(url);
  if (own) return `frontrow ${(own[1] as string).replace(/\.js$/, "")}`;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[1] ?? url.slice(5)}`;
  return url;
}

function ranked(totals: Map<string, number>, busyMs: number, top: number): ProfileShare[] {
  return [...totals]
    .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

/** Self time by area and by function (the `top` costliest of each), idle left out of the shares. */
export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    if (!frame) return;
    if (frame.functionName === "(idle)") {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
    const where = frame.url ? ` ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}` : "";
    const name = `${frame.functionName || "(anonymous)"}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  });
  return { busyMs, idleMs, areas: ranked(byArea, busyMs, top), functions: ranked(byFunction, busyMs, top) };
}
