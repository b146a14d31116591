import type { CheckResult } from '../checks/check-result';
import { requestJson, SourceError } from './http-json';
import { joinUrl } from './join-url';

export interface RollbarSettings {
  baseUrl: string;
  environment: string;
  readToken?: string;
  projectUrl?: string;
  windowMinutes: number;
  baselineHours: number;
  spikeRatio: number;
  cutoverSpikeRatio: number;
  minErrors: number;
}

type Counts = { err: number; result: [number, number][] };
type Items = { err: number; result: { items: { id: number; counter: number; title: string; level: string; first_occurrence_timestamp: number }[] } };

export interface ErrorRate {
  perMinute: number;
  baselinePerMinute: number;
  windowCount: number;
  ratio: number;
}

/**
 * The error tracker as a gate: can we see errors at all (API and token), is the error rate
 * spiking against its own recent baseline, are there new critical items. Not being able to see
 * errors fails the gate: that is the day the story postponed its cutover.
 */
export async function checkRollbar(cfg: RollbarSettings, opts: { cutoverWindow: boolean; timeoutMs: number; now?: number }): Promise<CheckResult[]> {
  const now = opts.now ?? Date.now();
  const link = cfg.projectUrl ?? cfg.baseUrl;
  const base = { source: `Rollbar (${cfg.environment})`, observedAt: now, link };
  const api: CheckResult = { ...base, id: 'rollbar.api', label: 'Error tracker reachable', status: 'ok', value: 'token valid' };
  const unknownRate = (why: string): CheckResult => ({ ...base, id: 'rollbar.error-rate', label: 'Error rate', status: 'unknown', detail: why });
  const unknownItems = (why: string): CheckResult => ({ ...base, id: 'rollbar.critical-items', label: 'New critical errors', status: 'unknown', detail: why });
  if (!cfg.readToken) {
    return [{ ...api, status: 'fail', value: undefined, detail: 'no ROLLBAR_READ_TOKEN: cannot see errors' }, unknownRate('no token'), unknownItems('no token')];
  }
  const get = <T>(path: string, params: Record<string, string | number>) =>
    requestJson<T>({ url: joinUrl(cfg.baseUrl, path), params, headers: { 'X-Rollbar-Access-Token': cfg.readToken! }, timeoutMs: opts.timeoutMs, followRedirects: false });
  let minutes: Counts;
  try {
    minutes = await get<Counts>('/api/1/reports/occurrence_counts', { bucket_size: 60, environments: cfg.environment, min_level: 'error' });
    if (minutes.err !== 0 || !Array.isArray(minutes.result)) throw new SourceError('malformed', 'occurrence_counts answered without a result');
  } catch (e) {
    const why = e instanceof SourceError && e.kind === 'unauthorized' ? 'the read token is not accepted' : (e as Error).message;
    return [{ ...api, status: 'fail', value: undefined, detail: `cannot see errors: ${why}` }, unknownRate('the error tracker did not answer'), unknownItems('the error tracker did not answer')];
  }
  const [rate, items] = await Promise.all([
    errorRateResult(cfg, minutes, opts.cutoverWindow, now, base, () => get<Counts>('/api/1/reports/occurrence_counts', { bucket_size: 3600, environments: cfg.environment, min_level: 'error' })).catch((e: Error) => unknownRate(e.message)),
    criticalItemsResult(now, base, () => get<Items>('/api/1/items/', { status: 'active', level: 'critical', environment: cfg.environment })).catch((e: Error) => unknownItems(e.message)),
  ]);
  return [api, rate, items];
}

/** Errors per minute in the window against the trailing hours before the current hour. */
export function errorRate(minuteBuckets: [number, number][], hourBuckets: [number, number][], cfg: Pick<RollbarSettings, 'windowMinutes' | 'baselineHours'>, now: number): ErrorRate {
  const nowS = Math.floor(now / 1000);
  // The newest `windowMinutes` minute buckets (the current, partial minute included).
  const windowCount = minuteBuckets
    .filter(([ts]) => ts <= nowS)
    .sort((a, b) => b[0] - a[0])
    .slice(0, cfg.windowMinutes)
    .reduce((s, [, c]) => s + c, 0);
  const hourStart = nowS - (nowS % 3600);
  const baseline = hourBuckets.filter(([ts]) => ts < hourStart && ts >= hourStart - cfg.baselineHours * 3600);
  const baselineCount = baseline.reduce((s, [, c]) => s + c, 0);
  const perMinute = windowCount / cfg.windowMinutes;
  const baselinePerMinute = baselineCount / (cfg.baselineHours * 60);
  return { perMinute, baselinePerMinute, windowCount, ratio: baselinePerMinute === 0 ? (perMinute === 0 ? 0 : Infinity) : perMinute / baselinePerMinute };
}

async function errorRateResult(cfg: RollbarSettings, minutes: Counts, cutoverWindow: boolean, now: number, base: Omit<CheckResult, 'id' | 'label' | 'status'>, hours: () => Promise<Counts>): Promise<CheckResult> {
  const h = await hours();
  if (h.err !== 0 || !Array.isArray(h.result)) throw new SourceError('malformed', 'hourly occurrence_counts answered without a result');
  const r = errorRate(minutes.result, h.result, cfg, now);
  const limit = cutoverWindow ? cfg.cutoverSpikeRatio : cfg.spikeRatio;
  const spiking = r.windowCount >= cfg.minErrors && r.ratio > limit;
  return {
    ...base,
    id: 'rollbar.error-rate',
    label: `Error rate (last ${cfg.windowMinutes} min)`,
    status: spiking ? 'fail' : 'ok',
    value: `${r.perMinute.toFixed(1)}/min against ${r.baselinePerMinute.toFixed(1)}/min over the previous ${cfg.baselineHours} h${Number.isFinite(r.ratio) ? ` (×${r.ratio.toFixed(1)})` : ''}`,
    threshold: `≤ ×${limit}${cutoverWindow ? ' (cutover window)' : ''}, or under ${cfg.minErrors} errors`,
    detail: spiking ? `error rate spiking: ${r.windowCount} errors in ${cfg.windowMinutes} min` : undefined,
    figures: { perMinute: r.perMinute, baselinePerMinute: r.baselinePerMinute, windowCount: r.windowCount },
  };
}

async function criticalItemsResult(now: number, base: Omit<CheckResult, 'id' | 'label' | 'status'>, items: () => Promise<Items>): Promise<CheckResult> {
  const res = await items();
  if (res.err !== 0 || !Array.isArray(res.result?.items)) throw new SourceError('malformed', 'items answered without a list');
  const since = now / 1000 - 3600;
  const fresh = res.result.items.filter((i) => i.first_occurrence_timestamp >= since);
  return {
    ...base,
    id: 'rollbar.critical-items',
    label: 'New critical errors (last hour)',
    status: fresh.length ? 'fail' : 'ok',
    value: `${fresh.length}`,
    detail: fresh.length ? fresh.slice(0, 3).map((i) => `#${i.counter} ${i.title}`).join('; ') : undefined,
  };
}
