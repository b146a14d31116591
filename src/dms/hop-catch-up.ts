import { cdcLatencyCatchUp, hopCatchUp, type CatchUpEstimate } from '../checks/catch-up-eta';
import type { LagSample } from '../checks/lag-sample';
import type { Hop } from '../plan/plan';
import type { DmsMonitor } from './dms-monitor';

/** The CloudWatch window a DMS hop's estimate reads: the same 30 minutes as the lag samples' trend. */
export const CDC_TREND_MS = 30 * 60_000;

/** Reads a hop's catch-up estimate; what `lag`, `status` and the channel update show. */
export type CatchUpReader = (hop: Hop, samples: LagSample[], now: number) => Promise<CatchUpEstimate>;

/**
 * A DMS hop's estimate comes from CloudWatch's CDC latency trend of its task. Without CloudWatch in
 * the plan, or when CloudWatch does not answer, it falls back to the heartbeat lag and says why.
 * Other hops read their stored lag samples.
 */
export function catchUpReader(dms: Pick<DmsMonitor, 'cdcLatencyTrend'>): CatchUpReader {
  return async (hop, samples, now) => {
    if (hop.method !== 'dms') return hopCatchUp(hop, samples);
    const trend = await dms.cdcLatencyTrend(hop, now - CDC_TREND_MS, now);
    if (trend === undefined) return { ...hopCatchUp(hop, samples), basis: { of: 'heartbeat', why: 'CloudWatch not configured for this hop' } };
    if (typeof trend === 'string') return { ...hopCatchUp(hop, samples), basis: { of: 'heartbeat', why: trend } };
    return { ...cdcLatencyCatchUp(trend, { caughtUpSeconds: hop.thresholds.maxCdcLatencySeconds }), basis: { of: 'cdc-latency', windowMs: CDC_TREND_MS } };
  };
}
