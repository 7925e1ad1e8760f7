import { ReplyError } from "ioredis";
import { LuaScript } from "../../infra/lua-script.js";
import type { RedisClient } from "../../infra/redis.js";

// The waiting room's state in Redis (docs/queue.md). Every key of one event shares the hash tag
// {ev:<id>}, so each script below runs atomically on one Redis Cluster slot:
//   meta       hash: commitment and epoch (present once the room is set up: see INIT), closed, preCount,
//              drawn, nextTicket, servedUpTo, tokens + lastTickAt (the admission token bucket), ewma
//              (admissions per minute, measured), capReached, sessions (admission counter)
//   users      hash: account id -> entry id (one entry per account)
//   owner      hash: entry id -> account id
//   state      hash: entry id -> P (pre-queue) | W (waiting) | A (admitted) | E (expired) | L (left) |
//              R (lost when Redis lost the room: must rejoin)
//   ticket     hash: entry id -> ticket number (the order in which the room serves)
//   pre        list: pre-queue entry ids in join order (what the lottery shuffles)
//   line       zset: waiting entry id by ticket; the leader pops the lowest
//   beats      zset: entry id by its last heartbeat (ms)
//   active     zset: admitted entry id by the end of its shopping window (ms)
//   admission  hash: admitted entry id -> "<session id>:<window end ms>"
// The seed and the draw are not here: they live in Postgres (queue-records-store.ts).

const KEY_NAMES = [
  "meta",
  "users",
  "owner",
  "state",
  "ticket",
  "pre",
  "line",
  "beats",
  "active",
  "admission",
] as const;

export const roomKeys = (eventId: number) => KEY_NAMES.map((name) => `q:{ev:${eventId}}:${name}`);
export const LEADER_KEY = "q:leader";

// Every script starts with these names for its KEYS and these helpers.
const PRELUDE = `
local meta, users, owner, state, ticket, pre, line, beats, active, admission =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
-- Nothing is placed in a room before its commitment is published: scripts that would answer from or
-- write to a room that is not set up (never was, or Redis lost it) return 0 instead.
local function missing()
  return redis.call('HEXISTS', meta, 'commitment') == 0
end
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
  local room = redis.call('HMGET', meta, 'servedUpTo', 'ewma', 'capReached', 'drawn', 'epoch')
  return {entry, current, number, session, waiting_count(), room[1] or '0', room[2] or '0', room[3] or '0',
    room[4] or '0', redis.call('ZCARD', active), room[5] or ''}
end
`;

const script = (body: string) => new LuaScript(PRELUDE + body);

// Sets the room up, once: publishes the commitment (and the room's epoch, new each time the room is set
// up) before anyone can join. When Redis lost the room, Postgres' facts come back with it: a room drawn
// before serves later joiners in arrival order, and live admissions keep their sessions and windows.
// ARGV: commitment, epoch, now, drawn (1/0), then per live admission: entry, account, session, window end.
const INIT = script(`
if not missing() then return 0 end
local now = tonumber(ARGV[3])
redis.call('HSET', meta, 'commitment', ARGV[1], 'epoch', ARGV[2])
if ARGV[4] == '1' then
  redis.call('HSET', meta, 'closed', '1', 'preCount', 0, 'nextTicket', 0, 'drawn', '1')
end
for i = 5, #ARGV, 4 do
  local entry, account, session, ends = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  if ends > now then
    redis.call('HSET', users, account, entry)
    redis.call('HSET', owner, entry, account)
    redis.call('HSET', state, entry, 'A')
    redis.call('HSET', admission, entry, session .. ':' .. ARGV[i + 3])
    redis.call('ZADD', active, ends, entry)
    redis.call('ZADD', beats, now, entry)
  end
end
return 1`);

// After INIT, the accounts that had entries before Redis lost the room: each is told to rejoin, unless
// it has an entry again already. ARGV: entry, account, entry, account, ... Returns how many were marked.
const MARK_LOST = script(`
if missing() then return -1 end
local marked = 0
for i = 1, #ARGV, 2 do
  if redis.call('HSETNX', users, ARGV[i + 1], ARGV[i]) == 1 then
    redis.call('HSET', owner, ARGV[i], ARGV[i + 1])
    redis.call('HSET', state, ARGV[i], 'R')
    marked = marked + 1
  end
end
return marked`);

// ARGV: account id, a fresh entry id (used when the account has none), now, sale start (ms), and what
// a new entry needs: '' nothing; a claim's lifetime (ms) to take KEYS[11] once (SET NX), else -3; '-'
// a refusal, -2. Returns the account's status (as STATUS) and 1 when the entry is new, so a join is one
// round trip, proof of work included.
const JOIN = script(`
if missing() then return 0 end
local account, now, needs = ARGV[1], tonumber(ARGV[3]), ARGV[5]
local entry = redis.call('HGET', users, account)
local current = entry and redis.call('HGET', state, entry)
if current == 'P' or current == 'W' or current == 'A' then
  local result = status_of(account, now, true)
  result[12] = 0
  return result
end
if needs == '-' then return -2 end
if needs ~= '' and not redis.call('SET', KEYS[11], '1', 'PX', needs, 'NX') then return -3 end
local created = 0
if not entry then
  entry = ARGV[2]
  created = 1
  redis.call('HSET', users, account, entry)
  redis.call('HSET', owner, entry, account)
end
redis.call('ZADD', beats, now, entry)
if redis.call('HGET', meta, 'closed') ~= '1' and now < tonumber(ARGV[4]) then
  -- An entry that left the pre-queue is still in the list: it only comes back to life. One lost with
  -- the room's old state is not.
  if not current or current == 'R' then redis.call('RPUSH', pre, entry) end
  redis.call('HSET', state, entry, 'P')
else
  close_pre_queue()
  local number = redis.call('HINCRBY', meta, 'nextTicket', 1)
  redis.call('HSET', ticket, entry, number)
  redis.call('HSET', state, entry, 'W')
  redis.call('ZADD', line, number, entry)
end
local result = status_of(account, now, false)
result[12] = created
return result`);

// {phase}: '' when the room is not set up, else 'open' or 'drawn'.
const PHASE = script(`
if missing() then return '' end
return redis.call('HGET', meta, 'drawn') == '1' and 'drawn' or 'open'`);

const CLOSE = script(`
if missing() then return 0 end
close_pre_queue()
return redis.call('LRANGE', pre, 0, -1)`);

// ARGV: the pre-queue's entry ids in drawn order. 1 drawn, 0 already drawn, -1 the list changed since
// it was read (cannot happen once closed; checked anyway) or the room is gone.
const DRAW = script(`
if missing() then return -1 end
if redis.call('HGET', meta, 'drawn') == '1' then return 0 end
if redis.call('HGET', meta, 'closed') ~= '1' or redis.call('LLEN', pre) ~= #ARGV then return -1 end
for i = 1, #ARGV do
  local entry = ARGV[i]
  -- Entries that left (or left and rejoined after the sale started) keep no pre-queue place.
  if redis.call('HGET', state, entry) == 'P' then
    redis.call('HSET', ticket, entry, i)
    redis.call('HSET', state, entry, 'W')
    redis.call('ZADD', line, i, entry)
  end
end
redis.call('HSET', meta, 'drawn', '1')
return 1`);

// One leader tick for one event. ARGV: now, rate per minute, cap (0: none), paused (1/0), shopping
// window ms, heartbeat grace ms, bucket size, EWMA time constant ms, max entries looked at.
const TICK = script(`
if missing() then return 0 end
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
local epoch = redis.call('HGET', meta, 'epoch')
local admitted, skipped, cap_reached = 0, 0, 0
-- Each admission as entry, account, session, window end: the leader records them in Postgres.
local admissions = {}
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
      -- The epoch keeps session ids unique across every set-up of the room.
      local session = epoch .. '-' .. redis.call('HINCRBY', meta, 'sessions', 1)
      redis.call('HSET', state, entry, 'A')
      redis.call('ZADD', active, now + window, entry)
      redis.call('HSET', admission, entry, session .. ':' .. (now + window))
      admitted = admitted + 1
      local n = #admissions
      admissions[n + 1] = entry
      admissions[n + 2] = redis.call('HGET', owner, entry) or ''
      admissions[n + 3] = session
      admissions[n + 4] = now + window
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
  cap_reached, redis.call('HGET', meta, 'drawn') == '1' and 1 or 0, epoch, admissions}`);

// ARGV: account id, now, 1 to count as a heartbeat.
const STATUS = script(`
if missing() then return 0 end
return status_of(ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1')`);

// ARGV: account id. The entry's state before it left ('' when it was not in the room).
const LEAVE = script(`
local entry = redis.call('HGET', users, ARGV[1])
if not entry then return '' end
local current = redis.call('HGET', state, entry)
if current ~= 'P' and current ~= 'W' and current ~= 'A' then return '' end
redis.call('HSET', state, entry, 'L')
redis.call('ZREM', line, entry)
redis.call('ZREM', active, entry)
redis.call('ZREM', beats, entry)
redis.call('HDEL', admission, entry)
return current`);

// ARGV: entry id, account id. {state, "<session>:<window end>", 1 when the entry is the account's}
// ('' when missing).
const ADMISSION = script(`
if missing() then return 0 end
return {redis.call('HGET', state, ARGV[1]) or '', redis.call('HGET', admission, ARGV[1]) or '',
  redis.call('HGET', users, ARGV[2]) == ARGV[1] and 1 or 0}`);

// {commitment, 1 when drawn, the pre-queue in join order (until the draw)}.
const AUDIT = script(`
if missing() then return 0 end
local drawn = redis.call('HGET', meta, 'drawn') == '1'
return {redis.call('HGET', meta, 'commitment'), drawn and 1 or 0, drawn and {} or redis.call('LRANGE', pre, 0, -1)}`);

export type EntryState = "P" | "W" | "A" | "E" | "L" | "R";

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
  /** New each time the room is set up: a change means Redis lost the room's state meanwhile. */
  epoch: string;
}

/**
 * What a new entry needs when the event asks for more than a signed-in account (its proof of work): a
 * key that one entry only may take, for `ttlMs`, in the entry's own slot ({ev:<id>}); or `refused`.
 */
export type EntryClaim = { key: string; ttlMs: number } | "refused";

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

/** One admission a tick made; `userId` is '' for an entry made before entries had owners. */
export interface Admission {
  entryId: string;
  userId: string;
  sessionId: string;
  windowEndsAt: number;
}

export interface TickOutcome {
  admitted: number;
  skipped: number;
  windowsEnded: number;
  admissions: Admission[];
  room: RoomFigures;
}

/** What Redis has of the audit: the rest (seed, draw) is in Postgres. */
export interface RoomAudit {
  commitment: string;
  drawn: boolean;
  /** The pre-queue in join order, until the draw. */
  preQueue: string[];
}

/** What a room is set up with (see INIT). */
export interface RoomSetUp {
  commitment: string;
  epoch: string;
  now: number;
  drawn: boolean;
  liveAdmissions: readonly Admission[];
}

export type RoomPhase = "missing" | "open" | "drawn";

const STATES = new Set(["P", "W", "A", "E", "L", "R"]);

export interface EntryStatus {
  entry: EntryRecord;
  room: RoomFigures;
}

type StatusValues = [string, string, string, string, number, string, string, string, string, number, string];

function parseStatus(values: StatusValues): EntryStatus {
  const [entryId, state, ticket, admission, waitingCount, served, ewma, capReached, drawn, active, epoch] =
    values;
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
      epoch,
    },
  };
}

function parseAdmission(value: string): EntryRecord["admission"] {
  const [sessionId, until] = value.split(":");
  return sessionId && until ? { sessionId, until: Number(until) } : null;
}

function parseAdmissions(flat: (string | number)[]): Admission[] {
  const admissions: Admission[] = [];
  for (let i = 0; i + 3 < flat.length; i += 4) {
    admissions.push({
      entryId: String(flat[i]),
      userId: String(flat[i + 1]),
      sessionId: String(flat[i + 2]),
      windowEndsAt: Number(flat[i + 3]),
    });
  }
  return admissions;
}

/** Redis did not answer (down, stalled, restarting): the room can be neither read nor moved for now. */
export class RoomUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`waiting room unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "RoomUnavailableError";
  }
}

// Errors Redis answers while it cannot serve (starting up, busy, a replica, out of memory...); any
// other error reply is a bug in a script and stays what it is.
const TRANSIENT_REPLY = /^(LOADING|BUSY|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|OOM|NOREPLICAS)\b/;

/**
 * Typed access to the scripts above; no policy here (that is QueueService's, QueueRooms' and
 * QueueLeader's). Calls that need a set-up room answer null when it is not (never was, or Redis lost it).
 */
export class QueueStore {
  /** The client, also the key its users' breakers share (infra/redis-breaker.ts). */
  constructor(readonly redis: RedisClient) {}

  /** Runs a script on the event's keys; RoomUnavailableError when Redis cannot answer. */
  private async run(
    script: LuaScript,
    eventId: number,
    args: (string | number)[],
    moreKeys: string[] = [],
  ): Promise<unknown> {
    try {
      return await script.run(this.redis, [...roomKeys(eventId), ...moreKeys], args);
    } catch (error) {
      if (error instanceof ReplyError && !TRANSIENT_REPLY.test((error as Error).message)) throw error;
      throw new RoomUnavailableError(error);
    }
  }

  /** Sets the room up unless it is; true when this call did. */
  async init(eventId: number, room: RoomSetUp): Promise<boolean> {
    const admissions = room.liveAdmissions.flatMap((a) => [a.entryId, a.userId, a.sessionId, a.windowEndsAt]);
    const args = [room.commitment, room.epoch, room.now, room.drawn ? 1 : 0, ...admissions];
    return (await this.run(INIT, eventId, args)) === 1;
  }

  /** Tells these accounts to rejoin, unless they have an entry again; -1 when the room is gone again. */
  async markLost(eventId: number, entries: readonly { userId: string; entryId: string }[]): Promise<number> {
    const args = entries.flatMap((entry) => [entry.entryId, entry.userId]);
    return (await this.run(MARK_LOST, eventId, args)) as number;
  }

  /**
   * Places the account (or finds its live entry) and returns its status; `created` for a new entry. A
   * new entry takes `claim` (`claimed` when it was taken before) or is `refused`; a live entry is
   * returned whatever the claim.
   */
  async join(
    eventId: number,
    userId: string,
    freshEntryId: string,
    now: number,
    saleStartsAt: number,
    claim?: EntryClaim,
  ): Promise<(EntryStatus & { created: boolean }) | "refused" | "claimed" | null> {
    const needs = claim === undefined ? "" : claim === "refused" ? "-" : Math.max(1, Math.ceil(claim.ttlMs));
    const claimKey = typeof claim === "object" ? [claim.key] : [];
    const values = await this.run(JOIN, eventId, [userId, freshEntryId, now, saleStartsAt, needs], claimKey);
    if (values === 0) return null;
    if (values === -2) return "refused";
    if (values === -3) return "claimed";
    const list = values as unknown[];
    return { ...parseStatus(list.slice(0, 11) as StatusValues), created: list[11] === 1 };
  }

  /** Takes the account out of the room; the entry's state before, or null when it was not in it. */
  async leave(eventId: number, userId: string): Promise<EntryState | null> {
    const before = (await this.run(LEAVE, eventId, [userId])) as string;
    return STATES.has(before) ? (before as EntryState) : null;
  }

  async entry(eventId: number, userId: string, now: number, heartbeat: boolean): Promise<EntryStatus | null> {
    const values = await this.run(STATUS, eventId, [userId, now, heartbeat ? 1 : 0]);
    return values === 0 ? null : parseStatus(values as StatusValues);
  }

  /** The room's live figures, without any entry. */
  async figures(eventId: number, now: number): Promise<RoomFigures | null> {
    return (await this.entry(eventId, "", now, false))?.room ?? null;
  }

  /** The entry's state, its admission ("<session>:<window end>") and whether it is the account's. */
  async admission(
    eventId: number,
    entryId: string,
    userId: string,
  ): Promise<{ state: string; admission: string; owned: boolean } | null> {
    const values = await this.run(ADMISSION, eventId, [entryId, userId]);
    if (values === 0) return null;
    const [state, admission, owned] = values as [string, string, number];
    return { state, admission, owned: owned === 1 };
  }

  async phase(eventId: number): Promise<RoomPhase> {
    const phase = (await this.run(PHASE, eventId, [])) as string;
    return phase === "open" || phase === "drawn" ? phase : "missing";
  }

  /** Closes the pre-queue (if still open) and returns its entries in join order. */
  async closePreQueue(eventId: number): Promise<string[] | null> {
    const entries = await this.run(CLOSE, eventId, []);
    return entries === 0 ? null : (entries as string[]);
  }

  async draw(eventId: number, order: readonly string[]): Promise<boolean> {
    return (await this.run(DRAW, eventId, [...order])) === 1;
  }

  async tick(eventId: number, now: number, settings: TickSettings): Promise<TickOutcome | null> {
    const values = await this.run(TICK, eventId, [
      now,
      settings.ratePerMinute,
      settings.maxActiveShoppers,
      settings.paused ? 1 : 0,
      settings.windowMs,
      settings.graceMs,
      settings.bucketSize,
      settings.ewmaTauMs,
      settings.maxScan,
    ]);
    if (values === 0) return null;
    const [
      admitted,
      skipped,
      windowsEnded,
      served,
      waitingCount,
      active,
      ewma,
      capReached,
      drawn,
      epoch,
      flat,
    ] = values as [number, number, number, number, number, number, string, number, number, string, string[]];
    return {
      admitted,
      skipped,
      windowsEnded,
      admissions: parseAdmissions(flat),
      room: {
        servedUpTo: served,
        waitingCount,
        activeShoppers: active,
        measuredPerMinute: Number(ewma),
        capReached: capReached === 1,
        drawn: drawn === 1,
        epoch,
      },
    };
  }

  async audit(eventId: number): Promise<RoomAudit | null> {
    const values = await this.run(AUDIT, eventId, []);
    if (values === 0) return null;
    const [commitment, drawn, preQueue] = values as [string, number, string[]];
    return { commitment, drawn: drawn === 1, preQueue };
  }
}
