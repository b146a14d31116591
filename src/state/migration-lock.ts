import { randomUUID } from 'node:crypto';
import type { Keys } from './keys';
import { inStore, type StateStore } from './state-store';

/** The one migration lock: who holds it, why, since when, and the fencing token it carries. */
export interface LockRecord {
  /** Owner token of this acquisition: release and renewal compare it. */
  token: string;
  /** The bot process renewing it; '' while handed off during a graceful restart. */
  process: string;
  holder: string;
  reason: string;
  acquiredAt: number;
  fence: number;
}

export type AcquireOutcome =
  | { acquired: true; lock: LockRecord }
  | { acquired: false; alreadyYours: boolean; lock: LockRecord };

// KEYS: lock, fence counter. ARGV: record JSON (without fence), ttl ms.
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
local rec = cjson.decode(ARGV[1])
rec.fence = redis.call('INCR', KEYS[2])
local out = cjson.encode(rec)
redis.call('SET', KEYS[1], out, 'NX', 'PX', ARGV[2])
return {1, out}
`;

// KEYS: lock. ARGV: token. Deletes only the acquisition that token names.
const RELEASE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if cjson.decode(cur).token ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

// KEYS: lock. ARGV: process id, ttl ms, handoff ms.
// Renews the lock this process owns, adopts one handed off by a stopped process.
const RENEW = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.process == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if rec.process == '' then
  rec.process = ARGV[1]
  redis.call('SET', KEYS[1], cjson.encode(rec), 'PX', ARGV[2])
  return 2
end
return 0
`;

// KEYS: lock. ARGV: process id, handoff ms. Marks this process's lock for adoption by the next one.
const HANDOFF = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.process ~= ARGV[1] then return 0 end
rec.process = ''
redis.call('SET', KEYS[1], cjson.encode(rec), 'PX', ARGV[2])
return 1
`;

// KEYS: lock. ARGV: holder, process id, ttl ms. The holder takes over renewal of their own lock
// (e.g. after the process that renewed it died); returns the record, or nothing if not theirs.
const ADOPT = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local rec = cjson.decode(cur)
if rec.holder ~= ARGV[1] then return false end
rec.process = ARGV[2]
local out = cjson.encode(rec)
redis.call('SET', KEYS[1], out, 'PX', ARGV[3])
return out
`;

export interface LockTiming {
  /** How long the lock survives without renewal: the crash-recovery delay. */
  ttlMs: number;
  /** How long a lock handed off at a graceful stop waits for the next process to adopt it. */
  handoffMs: number;
}

export const DEFAULT_LOCK_TIMING: LockTiming = { ttlMs: 60_000, handoffMs: 10 * 60_000 };

/**
 * The migration lock in Redis. Acquired with SET NX PX and an owner token, renewed by the
 * process that took it, released only by its owner (compare-and-delete). Each acquisition
 * takes a fencing token from a counter that only grows. If the process dies, the lock
 * expires after ttlMs; a graceful stop hands it to the next process instead.
 */
export class MigrationLock {
  private renewTimer?: NodeJS.Timeout;

  constructor(
    private readonly redis: StateStore,
    private readonly keys: Pick<Keys, 'lock' | 'fence'>,
    readonly processId: string,
    private readonly timing: LockTiming = DEFAULT_LOCK_TIMING,
  ) {}

  /** How long the lock lives without renewal. */
  get ttlMs(): number {
    return this.timing.ttlMs;
  }

  async read(): Promise<(LockRecord & { expiresInMs: number }) | undefined> {
    const [raw, pttl] = await inStore(() => Promise.all([this.redis.get(this.keys.lock), this.redis.pttl(this.keys.lock)]));
    return raw ? { ...(JSON.parse(raw) as LockRecord), expiresInMs: pttl } : undefined;
  }

  async acquire(holder: string, reason: string, now = Date.now()): Promise<AcquireOutcome> {
    const record = { token: randomUUID(), process: this.processId, holder, reason, acquiredAt: now };
    const [ok, raw] = (await inStore(() =>
      this.redis.eval(ACQUIRE, 2, this.keys.lock, this.keys.fence, JSON.stringify(record), String(this.timing.ttlMs)),
    )) as [number, string];
    const lock = JSON.parse(raw) as LockRecord;
    if (ok === 1) return { acquired: true, lock };
    return { acquired: false, alreadyYours: lock.holder === holder, lock };
  }

  /** Releases the acquisition named by `token`; false when that acquisition is gone. */
  async release(token: string): Promise<boolean> {
    return (await inStore(() => this.redis.eval(RELEASE, 1, this.keys.lock, token))) === 1;
  }

  /** `holder` keeps their lock, renewed from now on by this process; undefined if they do not hold it. */
  async adoptFor(holder: string): Promise<LockRecord | undefined> {
    const raw = (await inStore(() => this.redis.eval(ADOPT, 1, this.keys.lock, holder, this.processId, String(this.timing.ttlMs)))) as string | null;
    return raw ? (JSON.parse(raw) as LockRecord) : undefined;
  }

  /** Renews (or adopts) the lock for this process; the outcome says which. */
  async renew(): Promise<'renewed' | 'adopted' | 'not-ours'> {
    const r = await inStore(() => this.redis.eval(RENEW, 1, this.keys.lock, this.processId, String(this.timing.ttlMs)));
    return r === 1 ? 'renewed' : r === 2 ? 'adopted' : 'not-ours';
  }

  /** True while `fence` is the token of the lock currently held: an executor checks it before acting. */
  async isFenceCurrent(fence: number): Promise<boolean> {
    const lock = await this.read();
    return lock !== undefined && lock.fence === fence;
  }

  /** Starts renewing every third of the TTL; errors (Redis down) are retried on the next tick. */
  startRenewing(onError: (e: unknown) => void = () => undefined): void {
    if (this.renewTimer) return;
    const tick = () => this.renew().catch(onError);
    this.renewTimer = setInterval(tick, Math.max(100, Math.floor(this.timing.ttlMs / 3)));
    this.renewTimer.unref();
    void tick();
  }

  /** Graceful stop: stop renewing and leave our lock for the next process to adopt. */
  async stopRenewing(handOff: boolean): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    if (handOff) {
      await inStore(() => this.redis.eval(HANDOFF, 1, this.keys.lock, this.processId, String(this.timing.handoffMs))).catch(() => undefined);
    }
  }
}

/** Operator override: removes whatever lock is there and returns it (for the audit log). */
export async function forceReleaseLock(redis: StateStore, keys: Pick<Keys, 'lock'>): Promise<LockRecord | undefined> {
  const raw = await inStore(() => redis.getdel(keys.lock));
  return raw ? (JSON.parse(raw) as LockRecord) : undefined;
}
