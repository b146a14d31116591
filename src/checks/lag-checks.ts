import type { Hop } from '../plan/plan';
import type { CheckResult } from './check-result';
import { heartbeatDistrust } from './heartbeat-trust';
import type { LagSample } from './lag-sample';
import { formatBytes, formatSeconds } from './units';

/**
 * What one lag sample means for a hop, as check results. `promoted` says the hop's target is
 * meant to be a primary now (after its cutover), so leaving recovery is expected.
 */
export function lagChecks(sample: LagSample, hop: Hop, promoted = false): CheckResult[] {
  const base = { observedAt: sample.at };
  const target = `target ${hop.target.id}`;
  const out: CheckResult[] = [];
  const unreachable = (side: 'source' | 'target') => `${side} ${side === 'source' ? hop.source.id : hop.target.id} unreachable: ${sample[side].error}`;

  out.push({ ...base, id: 'db.source', label: `Source ${hop.source.id} reachable`, source: `source ${hop.source.id}`, status: sample.source.ok ? 'ok' : 'unknown', detail: sample.source.ok ? undefined : unreachable('source') });
  out.push({ ...base, id: 'db.target', label: `Target ${hop.target.id} reachable`, source: target, status: sample.target.ok ? 'ok' : 'unknown', detail: sample.target.ok ? undefined : unreachable('target') });

  out.push(heartbeatLagCheck(sample, hop, promoted));

  if (hop.method !== 'physical' || promoted) return out;

  const bytes = sample.byteLag;
  out.push({
    ...base,
    id: 'lag.bytes',
    label: 'WAL not yet replayed',
    source: target,
    status: bytes === null ? 'unknown' : bytes > hop.thresholds.maxLagBytes ? 'fail' : 'ok',
    value: bytes === null ? undefined : formatBytes(bytes),
    threshold: `≤ ${formatBytes(hop.thresholds.maxLagBytes)}`,
  });
  const standby = sample.standby;
  if (!standby) return out;
  out.push({
    ...base,
    id: 'standby.recovery',
    label: 'Standby in recovery',
    source: target,
    status: standby.inRecovery ? 'ok' : 'fail',
    value: standby.inRecovery ? 'in recovery' : 'NOT in recovery',
    detail: standby.inRecovery ? undefined : 'the standby left recovery before the cutover: it no longer follows the source',
  });
  if (!standby.inRecovery) return out;
  const feedStatus = { streaming: 'ok', archive: 'ok', down: 'fail', hidden: 'warn', none: 'ok' } as const;
  out.push({
    ...base,
    id: 'standby.feed',
    label: 'WAL feed',
    source: target,
    status: feedStatus[standby.feed],
    value: { streaming: 'streaming', archive: 'archive-fed (restore_command)', down: 'WAL receiver down', hidden: 'hidden (role lacks pg_monitor)', none: '—' }[standby.feed],
  });
  out.push({
    ...base,
    id: 'standby.replay',
    label: 'Replay',
    source: target,
    status: standby.replayPaused === null ? 'unknown' : standby.replayPaused ? 'fail' : 'ok',
    value: standby.replayPaused ? 'PAUSED' : 'running',
  });
  return out;
}

/**
 * End-to-end lag from the heartbeat. A heartbeat that cannot be trusted fails, whatever lag it
 * reads. After the cutover nothing writes the old source's heartbeat any more, so staleness is moot.
 */
function heartbeatLagCheck(sample: LagSample, hop: Hop, promoted: boolean): CheckResult {
  const lag = sample.heartbeatLagSeconds;
  const max = hop.thresholds.maxLagSeconds;
  const check = { id: 'lag.heartbeat', label: 'End-to-end lag (heartbeat)', source: `target ${hop.target.id}`, observedAt: sample.at, threshold: `≤ ${formatSeconds(max)}` };
  const distrust = promoted ? undefined : heartbeatDistrust(sample, hop);
  if (distrust) return { ...check, status: 'fail', detail: distrust };
  if (lag !== null) return { ...check, status: lag > max ? 'fail' : 'ok', value: formatSeconds(lag) };
  const why = !sample.source.ok || !sample.target.ok ? 'a database did not answer' : !sample.sourceHeartbeat ? `no heartbeat on the source: run \`/migrate setup ${hop.id}\`` : 'no heartbeat has reached the target yet';
  return { ...check, status: 'unknown', detail: why };
}
