import type { LagSample } from '../checks/lag-sample';
import { inStore, type StateStore } from './state-store';

/**
 * Lag samples of each hop in a capped Redis Stream: newest last. The cap keeps at least
 * `keepMs` at the sampling interval (24 h at 15 s is 5,760 samples).
 */
export class SampleStore {
  constructor(
    private readonly redis: StateStore,
    private readonly key: (hop: string) => string,
    private readonly maxSamples = 10_000,
  ) {}

  async add(sample: LagSample): Promise<void> {
    await inStore(() => this.redis.xadd(this.key(sample.hop), 'MAXLEN', '~', String(this.maxSamples), '*', 'json', JSON.stringify(sample)));
  }

  async latest(hop: string): Promise<LagSample | undefined> {
    const rows = await inStore(() => this.redis.xrevrange(this.key(hop), '+', '-', 'COUNT', 1));
    return rows[0] ? parse(rows[0][1]) : undefined;
  }

  /** Samples taken at or after `since`, oldest first. */
  async since(hop: string, since: number): Promise<LagSample[]> {
    const rows = await inStore(() => this.redis.xrange(this.key(hop), String(since), '+'));
    return rows.map(([, f]) => parse(f));
  }

  /** At most `max` samples stored from `from` to `to` (ms), oldest first. */
  async between(hop: string, from: number, to: number, max: number): Promise<LagSample[]> {
    const rows = await inStore(() => this.redis.xrange(this.key(hop), String(Math.floor(from)), String(Math.ceil(to)), 'COUNT', max));
    return rows.map(([, f]) => parse(f));
  }
}

function parse(fields: string[]): LagSample {
  return JSON.parse(fields[fields.indexOf('json') + 1]) as LagSample;
}
