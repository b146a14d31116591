import type { CheckResult, CheckStatus } from '../checks/check-result';
import { inStore, type StateStore } from './state-store';

/** One reading of the app's error rate (the error tracker's gate), kept for the report's charts. */
export interface ErrorRateSample {
  at: number;
  perMinute: number;
  baselinePerMinute: number;
  status: CheckStatus;
}

/** The error-rate reading in a set of gate results, if the tracker answered with figures. */
export function errorRateSample(results: CheckResult[]): ErrorRateSample | undefined {
  const r = results.find((c) => c.id === 'rollbar.error-rate' && c.figures);
  if (!r?.figures) return undefined;
  return { at: r.observedAt, perMinute: r.figures.perMinute, baselinePerMinute: r.figures.baselinePerMinute, status: r.status };
}

/** Error-rate readings in a capped Redis Stream, newest last (a day and more at one reading a minute). */
export class ErrorRateStore {
  private lastAt = 0;

  constructor(
    private readonly redis: StateStore,
    private readonly key: string,
    private readonly maxSamples = 10_000,
  ) {}

  /** Keeps a reading; the same reading again (a cached gate result) is kept once. */
  async add(sample: ErrorRateSample): Promise<void> {
    if (sample.at === this.lastAt) return;
    this.lastAt = sample.at;
    await inStore(() => this.redis.xadd(this.key, 'MAXLEN', '~', String(this.maxSamples), '*', 'json', JSON.stringify(sample)));
  }

  /** At most `max` readings stored from `from` to `to` (ms), oldest first. */
  async between(from: number, to: number, max: number): Promise<ErrorRateSample[]> {
    const rows = await inStore(() => this.redis.xrange(this.key, String(Math.floor(from)), String(Math.ceil(to)), 'COUNT', max));
    return rows.map(([, f]) => JSON.parse(f[f.indexOf('json') + 1]) as ErrorRateSample);
  }
}
