import type { CheckResult } from '../checks/check-result';
import { formatSeconds } from '../checks/units';
import type { Hop } from '../plan/plan';
import type { CdcLatency } from './cdc-latency';
import { cdcState, type DmsReport } from './dms-report';

/**
 * A DMS report as gate results: the task runs, no table errored, validation clean, CDC replicating,
 * and, when the hop names its CloudWatch dimensions, CDC latency on the target within its threshold.
 */
export function dmsChecks(r: DmsReport, hop: Hop): CheckResult[] {
  const base = { source: `DMS ${hop.id}`, observedAt: r.at };
  if (!r.task) return [{ ...base, id: 'dms.task', label: 'DMS task', status: 'unknown', detail: `${r.error?.code}: ${r.error?.message}` }];
  const t = r.task;
  const cdc = cdcState(t);
  const out: CheckResult[] = [
    { ...base, id: 'dms.task', label: 'DMS task', status: t.status === 'running' ? 'ok' : 'fail', value: t.status, detail: t.status === 'running' ? undefined : t.lastFailureMessage ?? t.stopReason },
    { ...base, id: 'dms.cdc', label: 'DMS change data capture', status: cdc === 'replicating ongoing changes' ? 'ok' : 'fail', value: cdc },
  ];
  if (r.tables) {
    out.push(
      { ...base, id: 'dms.tables', label: 'DMS tables in error', status: r.tables.errored.length ? 'fail' : 'ok', value: String(r.tables.errored.length) },
      { ...base, id: 'dms.validation', label: 'DMS validation problems', status: r.tables.validationProblems.length ? 'fail' : 'ok', value: String(r.tables.validationProblems.length) },
    );
  }
  if (hop.dms?.cloudwatch) out.push(cdcLatencyCheck(r.cdcLatency, hop, r.at));
  return out;
}

/** CloudWatch's CDCLatencyTarget (newest one-minute average): how far behind the source DMS applies changes on the target. */
export function cdcLatencyCheck(latency: CdcLatency | string | undefined, hop: Hop, at: number): CheckResult {
  const max = hop.thresholds.maxCdcLatencySeconds;
  const check = { id: 'dms.cdc-latency', label: 'DMS CDC latency (CloudWatch)', source: 'CloudWatch AWS/DMS CDCLatencyTarget', observedAt: at, threshold: `≤ ${formatSeconds(max)}` };
  if (latency === undefined) return { ...check, status: 'unknown', detail: 'CloudWatch was not asked: the bot has no CloudWatch client for this hop' };
  if (typeof latency === 'string') return { ...check, status: 'unknown', detail: latency };
  const seconds = latency.targetSeconds;
  if (seconds === undefined) return { ...check, status: 'unknown', detail: 'CloudWatch has no CDCLatencyTarget point in the last 15 minutes' };
  const over = seconds > max;
  return {
    ...check,
    observedAt: latency.at ?? at,
    status: over ? 'fail' : 'ok',
    value: formatSeconds(seconds),
    detail: over ? `DMS applies changes on ${hop.target.id} ${formatSeconds(seconds)} behind ${hop.source.id} (limit ${formatSeconds(max)}): the catch-up after the app stops would take at least that long` : undefined,
  };
}
