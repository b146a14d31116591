import type { PlanFile } from './plan-schema';
import type { Thresholds } from './plan';

type ThresholdsFile = PlanFile['thresholds'];

/**
 * A hop's thresholds: every field it sets, and the plan-wide value of every field it does not
 * (never the built-in default, which the plan-wide block may have tightened).
 */
export function hopThresholds(planWide: ThresholdsFile, hop: Partial<ThresholdsFile> | undefined, heartbeatStallSeconds: number): Thresholds {
  const set = Object.fromEntries(Object.entries(hop ?? {}).filter(([, v]) => v !== undefined));
  const t: ThresholdsFile = { ...planWide, ...set };
  return {
    maxLagSeconds: t.max_lag_seconds,
    maxLagBytes: t.max_lag_bytes,
    lagGraceSeconds: t.lag_grace_seconds,
    maxCdcLatencySeconds: t.max_cdc_latency_seconds,
    heartbeatStallSeconds,
  };
}
