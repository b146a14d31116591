import type { Hop } from '../plan/plan';
import type { CdcLatencyTrend } from '../dms/cdc-latency';
import type { LagSample } from './lag-sample';
import { lsnBytes } from './wal-position';

/**
 * When will the target be caught up? Read from successive stored lag samples:
 * - physical hops: the source's WAL generation rate against the standby's replay rate (bytes);
 * - logical hops: the trend of the end-to-end (heartbeat) lag;
 * - DMS hops: the trend of CloudWatch's CDC latency of the task (cdcLatencyCatchUp), or the heartbeat
 *   lag's when the plan has no CloudWatch for the hop (then `basis` says so).
 */
export type CatchUpEstimate = (
  | { kind: 'caught-up'; at: number; rates?: Rates }
  | { kind: 'catching-up'; at: number; etaMs: number; rates: Rates }
  | { kind: 'falling-behind'; at: number; rates: Rates }
  /** Too few samples, too short a span, or a reset/promotion inside the window. */
  | { kind: 'not-enough-samples'; samples: number; spanMs: number; needSamples: number; needSpanMs: number }
  | { kind: 'promoted'; at: number }
) & { basis?: CatchUpBasis };

/**
 * What a DMS hop's estimate was read from, so nobody takes the heartbeat lag for the task's own latency:
 * CloudWatch's CDC latency, or the heartbeat lag and why CloudWatch was not used.
 */
export type CatchUpBasis = { of: 'cdc-latency'; windowMs: number } | { of: 'heartbeat'; why: string };

/** Physical: bytes per minute written by the source and replayed by the standby; the backlog in bytes. */
export type Rates =
  | { unit: 'bytes'; writePerMin: number; replayPerMin: number; backlog: number }
  /** Latency trend: seconds of lag gained (+) or lost (−) per minute; the lag now in seconds. */
  | { unit: 'seconds'; lagChangePerMin: number; lag: number }
  /** CloudWatch CDC latency: the target's (what the estimate reads) and the source's when it has enough points. */
  | { unit: 'cdc-seconds'; target: LatencyRate; source?: LatencyRate };

/** A latency now (seconds) and its least-squares change in seconds per minute (+ rising, − falling). */
export interface LatencyRate {
  seconds: number;
  changePerMin: number;
}

export interface CatchUpOptions {
  /** Within this backlog the target counts as caught up (the plan's own lag gate thresholds). */
  caughtUpBytes: number;
  caughtUpSeconds: number;
  /** A rate over a short span is noise: at least this span and this many samples. */
  minSpanMs?: number;
  minSamples?: number;
}

export const CATCH_UP_MIN_SPAN_MS = 5 * 60_000;
export const CATCH_UP_MIN_SAMPLES = 5;

interface Point {
  at: number;
  /** Physical: source position and replay position in bytes; latency: lag in seconds (in `a`). */
  a: number;
  b: number;
}

/** The estimate for a hop's samples (oldest first); which reading depends on the hop's method. */
export function catchUpEstimate(method: 'physical' | 'logical' | 'dms', samples: LagSample[], opts: CatchUpOptions): CatchUpEstimate {
  return method === 'physical' ? walCatchUp(samples, opts) : latencyCatchUp(samples, opts);
}

/** Physical standby: WAL written by the source vs replayed by the standby, by least-squares slope. */
export function walCatchUp(samples: LagSample[], opts: CatchUpOptions): CatchUpEstimate {
  const newest = samples[samples.length - 1];
  if (newest?.standby && !newest.standby.inRecovery) return { kind: 'promoted', at: newest.at };
  const points = sinceLastReset(samples.map(walPoint).filter((p): p is Point => p !== undefined), (p, q) => q.a < p.a || q.b < p.b);
  const enough = enoughPoints(points, opts);
  if (enough) return enough;
  const last = points[points.length - 1];
  const backlog = Math.max(0, last.a - last.b);
  const writePerMin = slope(points, (p) => p.a) * 60_000;
  const replayPerMin = slope(points, (p) => p.b) * 60_000;
  const rates: Rates = { unit: 'bytes', writePerMin, replayPerMin, backlog };
  if (backlog <= opts.caughtUpBytes) return { kind: 'caught-up', at: last.at };
  const closing = replayPerMin - writePerMin;
  if (closing <= 0) return { kind: 'falling-behind', at: last.at, rates };
  return { kind: 'catching-up', at: last.at, etaMs: (backlog / closing) * 60_000, rates };
}

/** DMS CDC or logical replication: the end-to-end lag's trend; draining lag means catching up. */
export function latencyCatchUp(samples: LagSample[], opts: CatchUpOptions): CatchUpEstimate {
  const points = samples.filter((s) => s.heartbeatLagSeconds !== null).map((s) => ({ at: s.at, a: s.heartbeatLagSeconds as number, b: 0 }));
  const enough = enoughPoints(points, opts);
  if (enough) return enough;
  const last = points[points.length - 1];
  if (last.a <= opts.caughtUpSeconds) return { kind: 'caught-up', at: last.at };
  const lagChangePerMin = slope(points, (p) => p.a) * 60_000;
  const rates: Rates = { unit: 'seconds', lagChangePerMin, lag: last.a };
  if (lagChangePerMin >= 0) return { kind: 'falling-behind', at: last.at, rates };
  return { kind: 'catching-up', at: last.at, etaMs: (last.a / -lagChangePerMin) * 60_000, rates };
}

/**
 * DMS CDC from CloudWatch: CDCLatencyTarget (source commit to target apply) is what must drain.
 * Caught up once it is within `caughtUpSeconds` (the hop's max_cdc_latency_seconds); the ETA is the
 * time until it gets there at its least-squares rate. CDCLatencySource is reported beside it, not read.
 */
export function cdcLatencyCatchUp(trend: CdcLatencyTrend, opts: Pick<CatchUpOptions, 'caughtUpSeconds' | 'minSpanMs' | 'minSamples'>): CatchUpEstimate {
  const points = trend.target.map((p) => ({ at: p.at, a: p.seconds, b: 0 }));
  const enough = enoughPoints(points, { caughtUpBytes: 0, ...opts });
  if (enough) return enough;
  const source = trend.source.length >= 2 ? latencyRate(trend.source.map((p) => ({ at: p.at, a: p.seconds, b: 0 }))) : undefined;
  const target = latencyRate(points);
  const rates: Rates = { unit: 'cdc-seconds', target, ...(source ? { source } : {}) };
  const at = points[points.length - 1].at;
  if (target.seconds <= opts.caughtUpSeconds) return { kind: 'caught-up', at, rates };
  if (target.changePerMin >= 0) return { kind: 'falling-behind', at, rates };
  return { kind: 'catching-up', at, etaMs: ((target.seconds - opts.caughtUpSeconds) / -target.changePerMin) * 60_000, rates };
}

function latencyRate(points: Point[]): LatencyRate {
  return { seconds: points[points.length - 1].a, changePerMin: slope(points, (p) => p.a) * 60_000 };
}

/** Both positions of a standby sample in bytes; older samples without `sourceLsn` give it as replay + byte lag. */
function walPoint(s: LagSample): Point | undefined {
  if (!s.standby?.inRecovery || !s.standby.replayLsn) return undefined;
  const replay = Number(lsnBytes(s.standby.replayLsn));
  const source = s.sourceLsn ? Number(lsnBytes(s.sourceLsn)) : s.byteLag !== null ? replay + s.byteLag : undefined;
  return source === undefined ? undefined : { at: s.at, a: source, b: replay };
}

/** A position that goes backwards (a rebuilt standby, a new source) starts the series again. */
function sinceLastReset(points: Point[], isReset: (prev: Point, next: Point) => boolean): Point[] {
  let start = 0;
  for (let i = 1; i < points.length; i++) if (isReset(points[i - 1], points[i])) start = i;
  return points.slice(start);
}

function enoughPoints(points: Point[], opts: CatchUpOptions): CatchUpEstimate | undefined {
  const needSamples = opts.minSamples ?? CATCH_UP_MIN_SAMPLES;
  const needSpanMs = opts.minSpanMs ?? CATCH_UP_MIN_SPAN_MS;
  const spanMs = points.length ? points[points.length - 1].at - points[0].at : 0;
  if (points.length >= needSamples && spanMs >= needSpanMs) return undefined;
  return { kind: 'not-enough-samples', samples: points.length, spanMs, needSamples, needSpanMs };
}

/** Least-squares slope per millisecond: steadier than first-to-last when samples jitter. */
function slope(points: Point[], value: (p: Point) => number): number {
  const t0 = points[0].at;
  const v0 = value(points[0]);
  const n = points.length;
  let st = 0;
  let sv = 0;
  for (const p of points) {
    st += p.at - t0;
    sv += value(p) - v0;
  }
  const mt = st / n;
  const mv = sv / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    const dt = p.at - t0 - mt;
    num += dt * (value(p) - v0 - mv);
    den += dt * dt;
  }
  return den === 0 ? 0 : num / den;
}

/** The estimate for a hop, "caught up" meaning within the hop's own lag gate thresholds. */
export function hopCatchUp(hop: Pick<Hop, 'method' | 'thresholds'>, samples: LagSample[]): CatchUpEstimate {
  return catchUpEstimate(hop.method, samples, { caughtUpBytes: hop.thresholds.maxLagBytes, caughtUpSeconds: hop.thresholds.maxLagSeconds });
}
