import { LuaScript } from "../../infra/lua-script.js";
import type { RedisClient } from "../../infra/redis.js";

// The waiting room's state in Redis (docs/queue.md). Every key of one event shares the hash tag
// {ev:<id>}, so each script below runs atomically on one Redis Cluster slot:
//   meta       hash: seed (secret until the draw), commitment, closed, preCount, drawn, revealedAt,
//              nextTicket, servedUpTo, tokens + lastTickAt (the admission token bucket), ewma
//              (admissions per minute, measured), capReached, sessions (admission counter)
//   users      hash: account id -> entry id (one entry per account)
//   state      hash: entry id -> P (pre-queue) | W (waiting) | A (admitted) | E (expired) | L (left)
//   ticket     hash: entry id -> ticket number (the order in which the room serves)
//   pre        list: pre-queue entry ids in join order (what the lottery shuffles)
//   drawn      list: the pre-queue in drawn order, kept for the audit
//   line       zset: waiting entry id by ticket; the leader pops the lowest
//   beats      zset: entry id by its last heartbeat (ms)
//   active     zset: admitted entry id by the end of its shopping window (ms)
//   admission  hash: admitted entry id -> "<session id>:<window end ms>"

const KEY_NAMES = [
  "meta",
  "users",
  "state",
  "ticket",
  "pre",
  "drawn",
  "line",
  "beats",
  "active",
  "admission",
] as const;

export const roomKeys = (eventId: number) => KEY_NAMES.map((name) => `q:{ev:${eventId}}:${name}`);
/** The events whose room exists, for the leader (not per event: no hash tag needed). */
export const ROOMS_KEY = "q:rooms";
export const LEADER_KEY = "q:leader";

// Every script starts with these names for its KEYS and this helper.
const PRELUDE = `
local meta, users, state, ticket, pre, drawn, line, beats, active, admission =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
-- Closing the pre-queue freezes its size: its entries get tickets 1..preCount at the draw, and
-- later joins the next numbers, at once.
local function close_pre_queue()
  if redis.call('HGET', meta, 'closed') ~= '1' then
    local count = redis.call('LLEN', pre)
    redis.call('HSET', meta, 'closed', '1', 'preCount', count, 'nextTicket', count)
  end
end
local function waiting_count()
  local count = redis.call('ZCARD', line)
  if redis.call('HGET', meta, 'drawn') ~= '1' then count = count + redis.call('LLEN', pre) end
  return count
end
-- An account's entry and the room's figures (see EntryRecord and RoomFigures); missing values are ''.
local function status_of(account, now, heartbeat)
  local entry = redis.call('HGET', users, account) or ''
  local current, number, session = '', '', ''
  if entry ~= '' then
    current = redis.call('HGET', state, entry) or ''
    number = redis.call('HGET', ticket, entry) or ''
    session = redis.call('HGET', admission, entry) or ''
    if heartbeat and (current == 'P' or current == 'W' or current == 'A') then
      redis.call('ZADD', beats, now, entry)
    end
  end
  local room = redis.call('HMGET', meta, 'servedUpTo', 'ewma', 'capReached', 'drawn')
  return {entry, current, number, session, waiting_count(), room[1] or '0', room[2] or '0', room[3] or '0',
    room[4] or '0', redis.call('ZCARD', active)}
end
`;

const script = (body: string) => new LuaScript(PRELUDE + body);

const INIT = script(`
if redis.call('HSETNX', meta, 'seed', ARGV[1]) == 1 then redis.call('HSET', meta, 'commitment', ARGV[2]) end
return 1`);

// ARGV: account id, a fresh entry id (used when the account has none), now, sale start (ms). Returns
// the account's status (as STATUS), so a join is one round trip.
const JOIN = script(`
local account, now = ARGV[1], tonumber(ARGV[3])
local entry = redis.call('HGET', users, account)
local current = entry and redis.call('HGET', state, entry)
if current == 'P' or current == 'W' or current == 'A' then return status_of(account, now, true) end
if not entry then
  entry = ARGV[2]
  redis.call('HSET', users, account, entry)
end
redis.call('ZADD', beats, now, entry)
if redis.call('HGET', meta, 'closed') ~= '1' and now < tonumber(ARGV[4]) then
  -- An entry that left the pre-queue is still in the list: it only comes back to life.
  if not current then redis.call('RPUSH', pre, entry) end
  redis.call('HSET', state, entry, 'P')
else
  close_pre_queue()
  local number = redis.call('HINCRBY', meta, 'nextTicket', 1)
  redis.call('HSET', ticket, entry, number)
  redis.call('HSET', state, entry, 'W')
  redis.call('ZADD', line, number, entry)
end
return status_of(account, now, false)`);

const CLOSE = script(`
close_pre_queue()
return redis.call('LRANGE', pre, 0, -1)`);

// ARGV: now, then the pre-queue's entry ids in drawn order. 1 drawn, 0 already drawn, -1 the list
// changed since it was read (cannot happen once closed; checked anyway).
const DRAW = script(`
if redis.call('HGET', meta, 'drawn') == '1' then return 0 end
if redis.call('HGET', meta, 'closed') ~= '1' or redis.call('LLEN', pre) ~= #ARGV - 1 then return -1 end
for i = 2, #ARGV do
  local entry = ARGV[i]
  redis.call('RPUSH', drawn, entry)
  -- Entries that left (or left and rejoined after the sale started) keep no pre-queue place.
  if redis.call('HGET', state, entry) == 'P' then
    redis.call('HSET', ticket, entry, i - 1)
    redis.call('HSET', state, entry, 'W')
    redis.call('ZADD', line, i - 1, entry)
  end
end
redis.call('HSET', meta, 'drawn', '1', 'revealedAt', ARGV[1])
return 1`);

// One leader tick for one event. ARGV: now, rate per minute, cap (0: none), paused (1/0), shopping
// window ms, heartbeat grace ms, bucket size, EWMA time constant ms, max entries looked at.
const TICK = script(`
local now, rate, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local paused, window, grace = ARGV[4] == '1', tonumber(ARGV[5]), tonumber(ARGV[6])
local bucket, tau, max_scan = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
-- Shopping windows that are over end their admission (and so their token).
local ended = redis.call('ZRANGEBYSCORE', active, '-inf', now, 'LIMIT', 0, 10000)
for _, entry in ipairs(ended) do
  redis.call('ZREM', active, entry)
  redis.call('HDEL', admission, entry)
  redis.call('HSET', state, entry, 'E')
end
local last = tonumber(redis.call('HGET', meta, 'lastTickAt')) or now
local elapsed = math.max(now - last, 0)
local tokens = tonumber(redis.call('HGET', meta, 'tokens')) or 0
-- Until measured, the room is assumed to move at the configured rate.
local ewma = tonumber(redis.call('HGET', meta, 'ewma')) or rate
local served = tonumber(redis.call('HGET', meta, 'servedUpTo')) or 0
local admitted, skipped, cap_reached = 0, 0, 0
local had_demand = redis.call('ZCARD', line) > 0
if redis.call('HGET', meta, 'drawn') == '1' and not paused then
  tokens = math.min(tokens + rate * elapsed / 60000, bucket)
  local room = math.floor(tokens)
  if cap > 0 then
    local free = cap - redis.call('ZCARD', active)
    if free < room then room = math.max(free, 0); cap_reached = 1 end
  end
  local scanned = 0
  while admitted < room and scanned < max_scan do
    local popped = redis.call('ZPOPMIN', line)
    if #popped == 0 then break end
    scanned = scanned + 1
    local entry = popped[1]
    served = tonumber(popped[2])
    local beat = tonumber(redis.call('ZSCORE', beats, entry)) or 0
    if beat < now - grace then
      -- Gone quiet: the turn passes to the next fan, and this slot is reused at once.
      redis.call('HSET', state, entry, 'E')
      redis.call('ZREM', beats, entry)
      skipped = skipped + 1
    else
      local session = redis.call('HINCRBY', meta, 'sessions', 1)
      redis.call('HSET', state, entry, 'A')
      redis.call('ZADD', active, now + window, entry)
      redis.call('HSET', admission, entry, session .. ':' .. (now + window))
      admitted = admitted + 1
    end
  end
  tokens = tokens - admitted
  if had_demand and elapsed > 0 then
    local alpha = 1 - math.exp(-elapsed / tau)
    ewma = ewma + alpha * (admitted * 60000 / elapsed - ewma)
  end
end
redis.call('HSET', meta, 'tokens', tostring(tokens), 'lastTickAt', now, 'ewma', tostring(ewma),
  'servedUpTo', served, 'capReached', cap_reached)
return {admitted, skipped, #ended, served, waiting_count(), redis.call('ZCARD', active), tostring(ewma),
  cap_reached, redis.call('HGET', meta, 'drawn') == '1' and 1 or 0}`);

// ARGV: account id, now, 1 to count as a heartbeat.
const STATUS = script(`return status_of(ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1')`);

const LEAVE = script(`
local entry = redis.call('HGET', users, ARGV[1])
if not entry then return 0 end
local current = redis.call('HGET', state, entry)
if current ~= 'P' and current ~= 'W' and current ~= 'A' then return 0 end
redis.call('HSET', state, entry, 'L')
redis.call('ZREM', line, entry)
redis.call('ZREM', active, entry)
redis.call('ZREM', beats, entry)
redis.call('HDEL', admission, entry)
return 1`);

// ARGV: entry id. {state, "<session>:<window end>"} ('' when missing).
const ADMISSION = script(`
return {redis.call('HGET', state, ARGV[1]) or '', redis.call('HGET', admission, ARGV[1]) or ''}`);

const AUDIT = script(`
local room = redis.call('HMGET', meta, 'commitment', 'drawn', 'seed', 'revealedAt')
local revealed = room[2] == '1'
return {room[1] or '', revealed and room[3] or '', revealed and room[4] or '', redis.call('LRANGE', pre, 0, -1),
  revealed and redis.call('LRANGE', drawn, 0, -1) or {}}`);

export type EntryState = "P" | "W" | "A" | "E" | "L";

/** The room as one fan sees it (STATUS). */
export interface EntryRecord {
  entryId: string | null;
  state: EntryState | null;
  ticket: number | null;
  admission: { sessionId: string; until: number } | null;
}

export interface RoomFigures {
  servedUpTo: number;
  waitingCount: number;
  activeShoppers: number;
  /** Admissions per minute, measured (EWMA). */
  measuredPerMinute: number;
  capReached: boolean;
  drawn: boolean;
}

export interface TickSettings {
  ratePerMinute: number;
  maxActiveShoppers: number;
  paused: boolean;
  windowMs: number;
  graceMs: number;
  bucketSize: number;
  ewmaTauMs: number;
  maxScan: number;
}

export interface TickOutcome {
  admitted: number;
  skipped: number;
  windowsEnded: number;
  room: RoomFigures;
}

export interface AuditRecord {
  commitment: string | null;
  seed: string | null;
  revealedAt: Date | null;
  preQueue: string[];
  drawnOrder: string[] | null;
}

const STATES = new Set(["P", "W", "A", "E", "L"]);

export interface EntryStatus {
  entry: EntryRecord;
  room: RoomFigures;
}

type StatusValues = [string, string, string, string, number, string, string, string, string, number];

function parseStatus(values: StatusValues): EntryStatus {
  const [entryId, state, ticket, admission, waitingCount, served, ewma, capReached, drawn, active] = values;
  return {
    entry: {
      entryId: entryId || null,
      state: STATES.has(state) ? (state as EntryState) : null,
      ticket: ticket ? Number(ticket) : null,
      admission: admission ? parseAdmission(admission) : null,
    },
    room: {
      servedUpTo: Number(served),
      waitingCount,
      activeShoppers: active,
      measuredPerMinute: Number(ewma),
      capReached: capReached === "1",
      drawn: drawn === "1",
    },
  };
}

function parseAdmission(value: string): EntryRecord["admission"] {
  const [sessionId, until] = value.split(":");
  return sessionId && until ? { sessionId, until: Number(until) } : null;
}

/** Typed access to the scripts above; no policy here (that is QueueService's and QueueLeader's). */
export class QueueStore {
  constructor(private readonly redis: RedisClient) {}

  /** Creates the room's secret seed and its commitment, once; registers the room for the leader. */
  async init(eventId: number, seed: string, commitment: string): Promise<void> {
    await INIT.run(this.redis, roomKeys(eventId), [seed, commitment]);
    await this.redis.sadd(ROOMS_KEY, String(eventId));
  }

  /** Places the account (or finds its live entry) and returns its status. */
  async join(
    eventId: number,
    userId: string,
    freshEntryId: string,
    now: number,
    saleStartsAt: number,
  ): Promise<EntryStatus> {
    return parseStatus(
      (await JOIN.run(this.redis, roomKeys(eventId), [
        userId,
        freshEntryId,
        now,
        saleStartsAt,
      ])) as StatusValues,
    );
  }

  async leave(eventId: number, userId: string): Promise<boolean> {
    return (await LEAVE.run(this.redis, roomKeys(eventId), [userId])) === 1;
  }

  async entry(eventId: number, userId: string, now: number, heartbeat: boolean): Promise<EntryStatus> {
    return parseStatus(
      (await STATUS.run(this.redis, roomKeys(eventId), [userId, now, heartbeat ? 1 : 0])) as StatusValues,
    );
  }

  /** The room's live figures, without any entry. */
  async figures(eventId: number, now: number): Promise<RoomFigures> {
    return (await this.entry(eventId, "", now, false)).room;
  }

  async admission(eventId: number, entryId: string): Promise<{ state: string; admission: string }> {
    const [state, admission] = (await ADMISSION.run(this.redis, roomKeys(eventId), [entryId])) as [
      string,
      string,
    ];
    return { state, admission };
  }

  /** Closes the pre-queue (if still open) and returns its entries in join order. */
  async closePreQueue(eventId: number): Promise<string[]> {
    return (await CLOSE.run(this.redis, roomKeys(eventId), [])) as string[];
  }

  async seed(eventId: number): Promise<string | null> {
    return this.redis.hget(roomKeys(eventId)[0] as string, "seed");
  }

  async isDrawn(eventId: number): Promise<boolean> {
    return (await this.redis.hget(roomKeys(eventId)[0] as string, "drawn")) === "1";
  }

  async draw(eventId: number, now: number, order: readonly string[]): Promise<boolean> {
    return (await DRAW.run(this.redis, roomKeys(eventId), [now, ...order])) === 1;
  }

  async tick(eventId: number, now: number, settings: TickSettings): Promise<TickOutcome> {
    const values = (await TICK.run(this.redis, roomKeys(eventId), [
      now,
      settings.ratePerMinute,
      settings.maxActiveShoppers,
      settings.paused ? 1 : 0,
      settings.windowMs,
      settings.graceMs,
      settings.bucketSize,
      settings.ewmaTauMs,
      settings.maxScan,
    ])) as [number, number, number, number, number, number, string, number, number];
    const [admitted, skipped, windowsEnded, served, waitingCount, active, ewma, capReached, drawn] = values;
    return {
      admitted,
      skipped,
      windowsEnded,
      room: {
        servedUpTo: served,
        waitingCount,
        activeShoppers: active,
        measuredPerMinute: Number(ewma),
        capReached: capReached === 1,
        drawn: drawn === 1,
      },
    };
  }

  async audit(eventId: number): Promise<AuditRecord> {
    const [commitment, seed, revealedAt, preQueue, drawnOrder] = (await AUDIT.run(
      this.redis,
      roomKeys(eventId),
      [],
    )) as [string, string, string, string[], string[]];
    return {
      commitment: commitment || null,
      seed: seed || null,
      revealedAt: revealedAt ? new Date(Number(revealedAt)) : null,
      preQueue,
      drawnOrder: seed ? drawnOrder : null,
    };
  }

  async rooms(): Promise<number[]> {
    return (await this.redis.smembers(ROOMS_KEY)).map(Number);
  }

  async forgetRoom(eventId: number): Promise<void> {
    await this.redis.srem(ROOMS_KEY, String(eventId));
  }
}
