import { inStore, type StateStore } from '../state/state-store';

// KEYS: lease. ARGV: process id, ttl ms. Takes a free lease or renews our own; returns 1 when we lead.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

const RESIGN = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Among several bot processes, one leads and runs the scheduled jobs. The lease lives in Redis
 * with a TTL and is renewed every third of it; if the leader dies, another takes over within the TTL.
 */
export class LeaderLease {
  private leading = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: StateStore,
    private readonly key: string,
    readonly processId: string,
    private readonly ttlMs = 15_000,
    private readonly onChange: (leading: boolean) => void = () => undefined,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Claims or renews; a Redis error counts as not leading (two leaders are worse than none for a moment). */
  async claim(): Promise<boolean> {
    let now: boolean;
    try {
      now = (await inStore(() => this.redis.eval(CLAIM, 1, this.key, this.processId, String(this.ttlMs)))) === 1;
    } catch {
      now = false;
    }
    if (now !== this.leading) {
      this.leading = now;
      this.onChange(now);
    }
    return now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.claim(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
    void this.claim();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.leading) {
      this.leading = false;
      await inStore(() => this.redis.eval(RESIGN, 1, this.key, this.processId)).catch(() => undefined);
    }
  }
}
