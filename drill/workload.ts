// The on-sale the drills run under: fans who queue (the event's waiting room is on), hold, pay, cancel
// and release, and watchers who keep a live seat map from seatMapChanged, all through the real API.
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import type { Fan } from "../bench/lib/fans.js";
import type { Answer, Fleet, Instance } from "./fleet.js";
import type { History } from "./history.js";

const JOIN = "mutation ($e: ID!) { joinQueue(eventId: $e) { state } }";
const STATUS = "query ($e: ID!) { queueStatus(eventId: $e) { state admissionToken } }";
const LEAVE = "mutation ($e: ID!) { leaveQueue(eventId: $e) }";
const HOLD_BEST = `mutation ($e: ID!, $q: Int!, $t: String) {
  holdBestAvailable(eventId: $e, quantity: $q, admissionToken: $t) { id seats { id } } }`;
const HOLD_SEATS = `mutation ($e: ID!, $s: [ID!]!, $t: String) {
  holdSeats(eventId: $e, seatIds: $s, admissionToken: $t) { id seats { id } } }`;
const RELEASE = "mutation ($h: ID!) { releaseHold(holdId: $h) }";
const CHECKOUT = `mutation ($h: ID!, $k: String!) {
  checkout(holdId: $h, paymentToken: "tok_visa", idempotencyKey: $k) { id status } }`;
const CANCEL = "mutation ($o: ID!) { cancelOrder(orderId: $o) { id status } }";
const SEAT_MAP = "query ($e: ID!) { seatMap(eventId: $e) { version statuses sections { seats { id } } } }";
const WATCH = "subscription ($e: ID!) { seatMapChanged(eventId: $e) { version changes { seatId status } } }";

/** Answers after which a checkout is sent again with the same idempotency key (Stripe's rule). */
const RETRIED = new Set(["NETWORK", "SERVICE_UNAVAILABLE", "INTERNAL_SERVER_ERROR", "HTTP_502", "HTTP_503"]);
const CHECKOUT_ATTEMPTS = 8;

export interface JoinRecord {
  userId: string;
  /** Wall-clock milliseconds: compared with queue_admission.admitted_at. */
  sentAt: number;
  answeredAt: number;
}

export interface OnSale {
  fleet: Fleet;
  history: History;
  eventId: string;
  seatIds: string[];
  /** Every order a client was told is CONFIRMED. */
  acknowledged: Set<string>;
  /** The last status each order's client was told (a retry may be told FAILED: nothing charged). */
  told: Map<string, string>;
  /** Every joinQueue a fan was told succeeded, in order of answer. */
  joins: JoinRecord[];
  /** A fan cancels its oldest order beyond this many, so the seats keep changing hands. */
  keepOrders: number;
  stopped: boolean;
}

const think = () => sleep(150 + Math.random() * 450);

/**
 * A fan of instance `home`: queues, holds, then pays (70%), releases (20%) or walks away (10%); cancels
 * its oldest order when it has more than the sale lets it keep.
 */
async function fan(sale: OnSale, account: Fan, home: string): Promise<void> {
  let token: string | undefined;
  const orders: string[] = [];
  const send = <T>(op: string, query: string, variables: Record<string, unknown>, on?: Instance) =>
    sale.fleet.send<T>(on ?? sale.fleet.pick(home), op, query, variables, account.cookie);
  while (!sale.stopped) {
    if (!token) {
      token = await admission(sale, account, send);
      continue;
    }
    const hold = await holdSeats(sale, token, send);
    if (hold.code === "NOT_ADMITTED") token = undefined;
    const holdId = hold.data && Object.values(hold.data)[0]?.id;
    if (!holdId) {
      await sleep(200 + Math.random() * 300);
      continue;
    }
    await think();
    const choice = Math.random();
    if (choice < 0.7) {
      const orderId = await checkout(sale, holdId, home, send);
      if (orderId) orders.push(orderId);
      const oldest = orders.length > sale.keepOrders ? orders.shift() : undefined;
      if (oldest) {
        await think();
        await send("cancelOrder", CANCEL, { o: oldest });
      }
    } else if (choice < 0.9) {
      await send("releaseHold", RELEASE, { h: holdId });
    }
    await think();
  }
  await send("leaveQueue", LEAVE, { e: sale.eventId });
}

type Send = <T>(
  op: string,
  query: string,
  variables: Record<string, unknown>,
  on?: Instance,
) => Promise<Answer<T>>;

/** Joins (or rejoins) the room and polls queueStatus, which is also the heartbeat, until admitted. */
async function admission(sale: OnSale, account: Fan, send: Send): Promise<string | undefined> {
  const sentAt = Date.now();
  const joined = await send("joinQueue", JOIN, { e: sale.eventId });
  if (joined.code !== "ok") {
    await sleep(500);
    return undefined;
  }
  sale.joins.push({ userId: account.id, sentAt, answeredAt: Date.now() });
  while (!sale.stopped) {
    await sleep(400 + Math.random() * 400);
    const answer = await send<{ queueStatus: { state: string; admissionToken: string | null } }>(
      "queueStatus",
      STATUS,
      { e: sale.eventId },
    );
    const status = answer.data?.queueStatus;
    if (status?.state === "ADMITTED" && status.admissionToken) return status.admissionToken;
    if (status && ["EXPIRED", "NOT_IN_QUEUE", "REJOIN"].includes(status.state)) return undefined;
  }
  return undefined;
}

function holdSeats(sale: OnSale, token: string, send: Send) {
  const quantity = 1 + Math.floor(Math.random() * 2);
  if (Math.random() < 0.5) {
    return send<Record<string, { id: string }>>("holdBestAvailable", HOLD_BEST, {
      e: sale.eventId,
      q: quantity,
      t: token,
    });
  }
  const seats = new Set<string>();
  while (seats.size < quantity)
    seats.add(sale.seatIds[Math.floor(Math.random() * sale.seatIds.length)] as string);
  return send<Record<string, { id: string }>>("holdSeats", HOLD_SEATS, {
    e: sale.eventId,
    s: [...seats],
    t: token,
  });
}

/**
 * Pays for the hold; when no answer comes (or the server was unavailable), sends the same request again,
 * with the same idempotency key, to the other instance: a retry must return the same order, never a
 * second charge. Returns the order id the client was told about.
 */
async function checkout(sale: OnSale, holdId: string, home: string, send: Send) {
  const key = `drill-${holdId}`;
  let instance = sale.fleet.pick(home);
  for (let attempt = 1; attempt <= CHECKOUT_ATTEMPTS; attempt++) {
    const answer = await send<{ checkout: { id: string; status: string } }>(
      "checkout",
      CHECKOUT,
      { h: holdId, k: key },
      instance,
    );
    const order = answer.data?.checkout;
    if (order) {
      answer.operation.subject = `${order.id} ${order.status}`;
      sale.told.set(order.id, order.status);
      if (order.status !== "CONFIRMED") return undefined;
      sale.acknowledged.add(order.id);
      return order.id;
    }
    if (!RETRIED.has(answer.code)) return undefined;
    await sleep(300 * attempt);
    instance = sale.fleet.other(instance.name);
  }
  return undefined;
}

export async function runFans(sale: OnSale, accounts: Fan[]): Promise<void> {
  await Promise.all(
    accounts.map(async (account, index) => {
      await sleep(Math.random() * 1_000);
      const home = sale.fleet.instances[index % sale.fleet.instances.length]?.name ?? "a";
      await fan(sale, account, home);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Watchers: a live seat map each, over graphql-ws, the way the web app keeps one

const STATUS_OF: Record<string, string> = { AVAILABLE: "A", HELD: "H", SOLD: "S", NOT_FOR_SALE: "X" };

interface Delta {
  version: number;
  changes: { seatId: string; status: string }[];
}

export class Watcher {
  /** Seat id → status letter, as this client shows it. */
  readonly seats = new Map<string, string>();
  version = -1;
  resyncs = 0;
  reconnects = 0;
  private socket: WebSocket | undefined;
  private buffered: Delta[] = [];
  private syncing = false;
  private closed = false;
  live = false;
  /** The instance its socket is on. */
  private on: string | undefined;

  constructor(
    private readonly sale: OnSale,
    private readonly home: string,
  ) {}

  connect(): void {
    if (this.closed) return;
    const instance = this.sale.fleet.pick(this.home);
    this.on = instance.name;
    const url = new URL(instance.api.graphqlUrl);
    url.protocol = "ws:";
    const socket = new WebSocket(url, "graphql-transport-ws", { perMessageDeflate: false });
    this.socket = socket;
    this.live = false;
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
    socket.on("message", (data: Buffer) => this.onMessage(socket, instance, data.toString("utf8")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.socket !== socket || this.closed) return;
      this.reconnects++;
      setTimeout(() => this.connect(), 100 + Math.random() * 200);
    });
  }

  private onMessage(socket: WebSocket, instance: Instance, text: string): void {
    const message = JSON.parse(text) as { type: string; payload?: { data?: { seatMapChanged?: Delta } } };
    if (message.type === "connection_ack") {
      socket.send(
        JSON.stringify({
          id: "1",
          type: "subscribe",
          payload: { query: WATCH, variables: { e: this.sale.eventId } },
        }),
      );
      // Subscribed first, then the snapshot: no delta falls between the two.
      void this.resync(instance);
      return;
    }
    const delta = message.payload?.data?.seatMapChanged;
    if (message.type === "next" && delta) {
      if (this.syncing) this.buffered.push(delta);
      else this.apply(delta, instance);
    }
  }

  private apply(delta: Delta, instance: Instance): void {
    if (delta.version <= this.version) return;
    if (delta.version !== this.version + 1) {
      this.buffered.push(delta);
      void this.resync(instance);
      return;
    }
    this.applyChanges(delta);
  }

  private applyChanges(delta: Delta): void {
    for (const change of delta.changes) this.seats.set(change.seatId, STATUS_OF[change.status] ?? "?");
    this.version = delta.version;
  }

  /** Fetches seatMap, then applies what came meanwhile; after a gap, fetches again. */
  private async resync(instance: Instance): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    this.resyncs++;
    try {
      while (!this.closed) {
        const answer = await this.sale.fleet.send<{
          seatMap: { version: number; statuses: string; sections: { seats: { id: string }[] }[] };
        }>(instance.up ? instance : this.sale.fleet.pick(this.home), "seatMap", SEAT_MAP, {
          e: this.sale.eventId,
        });
        const map = answer.data?.seatMap;
        if (!map) {
          await sleep(300);
          continue;
        }
        const ids = map.sections.flatMap((section) => section.seats.map((seat) => seat.id));
        for (const [index, id] of ids.entries()) this.seats.set(id, map.statuses[index] ?? "?");
        this.version = map.version;
        const pending = this.buffered.sort((a, b) => a.version - b.version);
        this.buffered = [];
        let gap = false;
        for (const delta of pending) {
          if (delta.version <= this.version) continue;
          if (delta.version !== this.version + 1) {
            gap = true;
            break;
          }
          this.applyChanges(delta);
        }
        if (!gap) break;
      }
      this.live = true;
    } finally {
      this.syncing = false;
    }
  }

  /** For a report: its home instance, the one it is on, and what it did. */
  describe(): string {
    return `${this.home} (on ${this.on ?? "?"}, ${this.resyncs} fetches, ${this.reconnects} reconnects)`;
  }

  /** Drops the connection at once (the reconnect storm): the close handler reconnects. */
  drop(): void {
    this.socket?.terminate();
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
  }
}
