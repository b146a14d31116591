import { inStore, type StateStore } from '../state/state-store';
import type { BenchResult } from './bench-result';

/** How many benches of a hop are kept (the report shows them all). */
export const BENCHES_KEPT = 20;

/** The benches of each hop in a capped Redis list, newest first: what the report reads. */
export class BenchStore {
  constructor(
    private readonly redis: StateStore,
    private readonly key: (hop: string) => string,
  ) {}

  async add(result: BenchResult): Promise<void> {
    const key = this.key(result.hop);
    await inStore(() => this.redis.multi().lpush(key, JSON.stringify(result)).ltrim(key, 0, BENCHES_KEPT - 1).exec());
  }

  async latest(hop: string): Promise<BenchResult | undefined> {
    return (await this.all(hop))[0];
  }

  /** Every kept bench of the hop, newest first. */
  async all(hop: string): Promise<BenchResult[]> {
    const rows = await inStore(() => this.redis.lrange(this.key(hop), 0, BENCHES_KEPT - 1));
    return rows.map((r) => JSON.parse(r) as BenchResult);
  }
}

/** One bench of a hop at a time (two would load the databases twice and skew each other): a claim that expires by itself. */
export class BenchClaim {
  constructor(
    private readonly redis: StateStore,
    private readonly key: string,
  ) {}

  /** Takes the claim for `user`, or answers who holds it. */
  async take(user: string, ms: number): Promise<{ taken: true } | { taken: false; by: string }> {
    const ok = await inStore(() => this.redis.set(this.key, user, 'PX', ms, 'NX'));
    if (ok === 'OK') return { taken: true };
    return { taken: false, by: (await inStore(() => this.redis.get(this.key))) ?? 'someone' };
  }

  async release(user: string): Promise<void> {
    await inStore(() => this.redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`, 1, this.key, user));
  }
}
