import type { BenchPlan } from '../plan/plan';

export type Side = 'source' | 'target';
export type Percentile = 'p50' | 'p95' | 'p99';
export const PERCENTILES: Percentile[] = ['p50', 'p95', 'p99'];

/** One query's timings on one side, in milliseconds; or why it has none. */
export interface SideTimings {
  runs: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /** Why the query did not complete its runs here (an error, the time limit, a cutover). */
  failure?: string;
  /** PostgreSQL refused it as a write in the READ ONLY transaction. */
  refusedAsWrite?: boolean;
}

export interface QueryResult {
  name: string;
  source: SideTimings;
  target: SideTimings;
  /** target ÷ source at each percentile; absent when either side has no figure. */
  ratio: Partial<Record<Percentile, number>>;
  verdict: 'go' | 'no-go';
  /** Why NO-GO, in words. */
  why?: string;
}

/** One bench of a hop, as Redis keeps it for the report. */
export interface BenchResult {
  hop: string;
  source: string;
  target: string;
  user: string;
  startedAt: number;
  finishedAt: number;
  runs: number;
  warmup: number;
  concurrency: number;
  maxRatio: number;
  compare: Percentile;
  queries: QueryResult[];
  verdict: 'go' | 'no-go';
  /** Why the bench stopped before every query ran (a cutover began, the time limit). */
  stopped?: string;
}

/** The nearest-rank percentile of sorted timings (p99 of 30 runs is the slowest run). */
export function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** The figures of a side from its runs; `failure` when it did not complete them. */
export function sideTimings(ms: number[], failure?: { message: string; refusedAsWrite: boolean }): SideTimings {
  if (failure) return { runs: ms.length, failure: failure.message, refusedAsWrite: failure.refusedAsWrite || undefined };
  const sorted = [...ms].sort((a, b) => a - b);
  return { runs: ms.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/** A query's ratio and verdict: GO only when both sides ran every run and the target is within max_ratio. */
export function judgeQuery(name: string, source: SideTimings, target: SideTimings, bench: Pick<BenchPlan, 'maxRatio' | 'compare'>): QueryResult {
  const ratio: QueryResult['ratio'] = {};
  for (const p of PERCENTILES) {
    const s = source[p];
    const t = target[p];
    if (s !== undefined && t !== undefined) ratio[p] = t / Math.max(s, 0.001);
  }
  const failed = (side: Side, t: SideTimings) => (t.refusedAsWrite ? `refused as a write on the ${side}: ${t.failure}` : `did not complete on the ${side}: ${t.failure}`);
  if (source.failure) return { name, source, target, ratio, verdict: 'no-go', why: failed('source', source) };
  if (target.failure) return { name, source, target, ratio, verdict: 'no-go', why: failed('target', target) };
  const r = ratio[bench.compare] as number;
  if (r > bench.maxRatio) return { name, source, target, ratio, verdict: 'no-go', why: `${bench.compare} on the target is ${r.toFixed(2)}× the source's, over the plan's max_ratio ${bench.maxRatio}` };
  return { name, source, target, ratio, verdict: 'go' };
}
