// The two API instances the drill runs (a and b), each with its own keep-alive pool: fans go to one,
// and retry on the other when theirs does not answer. An instance killed by a drill is started again on
// a new port; clients pick an instance's address when they send, so they follow it.
import type { RunningApi } from "../bench/lib/api-process.js";
import { GraphQLClient } from "../bench/lib/http.js";
import type { History, Operation } from "./history.js";

export interface Instance {
  name: string;
  api: RunningApi;
  client: GraphQLClient;
  /** False while a drill has it frozen or killed: reconnecting clients go elsewhere. */
  up: boolean;
  /** Set by a drill before it kills the instance: an exit without it is a crash. */
  killedOnPurpose: boolean;
}

export interface Answer<TData = Record<string, unknown>> {
  code: string;
  data: TData | undefined;
  operation: Operation;
}

export class Fleet {
  readonly instances: Instance[] = [];
  /** Instances that exited when no drill killed them (an invariant: there must be none). */
  readonly crashes: string[] = [];
  /** Set by `stop`: exits from then on are the drill's own. */
  private stopping = false;

  constructor(
    private readonly history: History,
    private readonly start: (name: string) => Promise<RunningApi>,
  ) {}

  async add(name: string): Promise<Instance> {
    const api = await this.start(name);
    const instance: Instance = { name, api, client: this.clientFor(api), up: true, killedOnPurpose: false };
    this.instances.push(instance);
    this.watchExit(instance);
    return instance;
  }

  /** Records an exit no drill asked for, with the time and where to read why, and takes the instance out. */
  private watchExit(instance: Instance): void {
    const api = instance.api;
    void api.exited.then(() => {
      if (instance.killedOnPurpose || this.stopping || instance.api !== api) return;
      instance.up = false;
      const crash = `instance ${instance.name} exited on its own at ${new Date().toISOString()} (its output: api.log in the drill's folder)`;
      this.crashes.push(crash);
      console.error(`  ${crash}`);
    });
  }

  /**
   * Sends a drill's signal to an instance's process. A process already gone died on its own: that is
   * reported as a crash (see watchExit), and the drill goes on instead of failing on "kill ESRCH".
   */
  signal(instance: Instance, signal: NodeJS.Signals): void {
    if (!instance.api.pid) return;
    try {
      process.kill(instance.api.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }

  private clientFor(api: RunningApi): GraphQLClient {
    // Long enough to outlast a frozen instance (its fans wait, as browsers would).
    return new GraphQLClient(api.graphqlUrl, { maxSockets: 64, timeoutMs: 20_000 });
  }

  get(name: string): Instance {
    const instance = this.instances.find((i) => i.name === name);
    if (!instance) throw new Error(`No instance ${name}`);
    return instance;
  }

  /** The other instance than `name`'s (for a retry), or the first one up. */
  other(name: string): Instance {
    return this.instances.find((i) => i.name !== name && i.up) ?? this.get(name);
  }

  /** `preferred` if it is up, else any that is. */
  pick(preferred: string): Instance {
    const instance = this.get(preferred);
    return instance.up ? instance : this.other(preferred);
  }

  /** Starts the instance again (after a SIGKILL): new process, new port, same name. */
  async restart(name: string): Promise<void> {
    const instance = this.get(name);
    instance.client.close();
    await instance.api.stop();
    instance.api = await this.start(name);
    instance.client = this.clientFor(instance.api);
    instance.up = true;
    instance.killedOnPurpose = false;
    this.watchExit(instance);
  }

  /** One operation on `instance`, recorded in the history; never throws. */
  async send<TData = Record<string, unknown>>(
    instance: Instance,
    op: string,
    query: string,
    variables: Record<string, unknown>,
    cookie?: string,
  ): Promise<Answer<TData>> {
    const sent = this.history.now();
    const done = this.history.begin(op, instance.name);
    const answer = await instance.client.send<TData>(query, variables, cookie);
    done();
    const operation = this.history.record({
      op,
      instance: instance.name,
      sent,
      code: answer.ok ? "ok" : (answer.code ?? `HTTP_${answer.status}`),
    });
    return { code: operation.code, data: answer.data, operation };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const instance of this.instances) instance.client.close();
    await Promise.all(this.instances.map((instance) => instance.api.stop()));
  }
}
