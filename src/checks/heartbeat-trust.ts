import type { Hop } from '../plan/plan';
import type { LagSample } from './lag-sample';
import { formatSeconds } from './units';

/**
 * Since when (by the source's clock, ms) the target has shown the heartbeat it shows now, carried
 * from the previous sample while it does not change. It undercounts by at most one sampling
 * interval, and a sample that could not read both ends starts the count again.
 */
export function targetHeartbeatSince(sample: LagSample, previous: LagSample | undefined): number | undefined {
  const beat = sample.targetHeartbeat;
  if (!beat || sample.sourceClock === null) return undefined;
  const before = previous?.targetHeartbeat;
  if (previous && before && before.seq === beat.seq) return previous.targetHeartbeatSince ?? previous.sourceClock ?? sample.sourceClock;
  return sample.sourceClock;
}

/**
 * Why the heartbeat lag of a sample cannot be trusted, in a sentence, or undefined when it can:
 * the heartbeat writer stopped (source and target then hold the same old heartbeat, which reads as
 * zero lag), the target stopped following while the source went on, or the target holds a
 * heartbeat the source never wrote. Limit: the plan's `alerts.heartbeat_stall_seconds`.
 */
export function heartbeatDistrust(sample: LagSample, hop: Hop): string | undefined {
  const source = sample.sourceHeartbeat;
  const target = sample.targetHeartbeat;
  const clock = sample.sourceClock;
  if (!source || clock === null) return undefined;
  const limit = hop.thresholds.heartbeatStallSeconds;
  const sourceAge = (clock - source.at) / 1000;
  if (sourceAge > limit) {
    return `the heartbeat on ${hop.source.id} has not advanced for ${formatSeconds(sourceAge)} (limit ${formatSeconds(limit)}): lag cannot be measured; is the bot's heartbeat job running?`;
  }
  if (!target) return undefined;
  // A newer heartbeat on the target written after the source's was read is a race; an older one is not.
  if (target.seq > source.seq && target.at <= source.at) {
    return `${hop.target.id} holds heartbeat #${target.seq} but the newest on ${hop.source.id} is #${source.seq}: the source's heartbeat table was reset, or ${hop.target.id} is not fed by ${hop.source.id}; lag cannot be measured`;
  }
  const since = sample.targetHeartbeatSince;
  if (target.seq < source.seq && since !== undefined) {
    const held = (clock - since) / 1000;
    if (held > limit) {
      return `the heartbeat on ${hop.target.id} has not advanced for ${formatSeconds(held)} while the one on ${hop.source.id} did (limit ${formatSeconds(limit)}): replication to ${hop.target.id} looks stopped`;
    }
  }
  return undefined;
}
