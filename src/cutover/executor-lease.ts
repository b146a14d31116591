import { inStore, type StateStore } from '../state/state-store';

// KEYS: lease. ARGV: token, ttl ms. Extends the lease only while it still carries this token.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

// KEYS: lease. ARGV: token. Deletes the lease only while it still carries this token.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

// KEYS: lock. ARGV: fence, ttl ms. Keeps the migration lock alive while its fence is this run attempt's.
const KEEP_LOCK = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if tonumber(cjson.decode(cur).fence) ~= tonumber(ARGV[1]) then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

/** The executor token of one run attempt: the process and the attempt's fencing token. */
export function executorToken(processId: string, fence: number): string {
  return `${processId}/${fence}`;
}

/**
 * The lease of the process executing one attempt of a cutover run. Taken with SET NX PX, renewed
 * and released only by compare-and-set on its own token, so an executor that stalled past its lease
 * can neither extend nor delete its successor's. While held, it also keeps the migration lock alive.
 */
export class ExecutorLease {
  private timer?: NodeJS.Timeout;
  private lostAt?: number;

  constructor(
    private readonly redis: StateStore,
    private readonly keys: { lease: string; lock: string },
    readonly token: string,
    private readonly fence: number,
    private readonly ttlMs: number,
    private readonly lockTtlMs: number,
  ) {}

  /** False when another executor holds the lease. */
  async claim(): Promise<boolean> {
    return (await inStore(() => this.redis.set(this.keys.lease, this.token, 'PX', this.ttlMs, 'NX'))) === 'OK';
  }

  /** Renews every third of the TTL until released; `lost` is true once a renewal found another token. */
  keepAlive(onLost: () => void): void {
    const tick = async () => {
      const kept = await inStore(() => this.redis.eval(RENEW, 1, this.keys.lease, this.token, String(this.ttlMs)));
      if (kept !== 1 && this.lostAt === undefined) {
        this.lostAt = Date.now();
        onLost();
      }
      await inStore(() => this.redis.eval(KEEP_LOCK, 1, this.keys.lock, String(this.fence), String(this.lockTtlMs)));
    };
    this.timer = setInterval(() => void tick().catch(() => undefined), Math.max(50, Math.floor(this.ttlMs / 3)));
    // The executor's own work keeps the process alive; its lease renewal alone must not.
    this.timer.unref();
  }

  get lost(): boolean {
    return this.lostAt !== undefined;
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await inStore(() => this.redis.eval(RELEASE, 1, this.keys.lease, this.token)).catch(() => undefined);
  }
}
