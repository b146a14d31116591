import type { LagSample } from '../checks/lag-sample';
import { formatBytes, formatSeconds } from '../checks/units';
import type { Hop } from '../plan/plan';
import type { Observation } from './incident';

const LAG_ALERTS = ['source-unreachable', 'target-unreachable', 'lag', 'heartbeat-stalled', 'left-recovery', 'receiver-down', 'replay-paused', 'archiving-failing'] as const;

/** The keys of a hop's replication alerts, the ones lagConditions observes. */
export const lagAlertKeys = (hop: Hop): string[] => LAG_ALERTS.map((name) => `${hop.id}:${name}`);

/**
 * The alert conditions of one hop in one sample. Every condition is reported every time (active
 * or not), so that a cleared one resolves. Unreachable databases alert at once: unknown is never "fine".
 */
export function lagConditions(sample: LagSample, hop: Hop, rules: { heartbeatStallMs: number }): Observation[] {
  const k = (name: (typeof LAG_ALERTS)[number]) => `${hop.id}:${name}`;
  const physical = hop.method === 'physical';
  const standby = sample.standby;
  const lag = sample.heartbeatLagSeconds;
  const max = hop.thresholds.maxLagSeconds;
  const bytesOver = physical && sample.byteLag !== null && sample.byteLag > hop.thresholds.maxLagBytes;
  const lagOver = lag !== null && lag > max;
  const stallSeconds = rules.heartbeatStallMs / 1000;
  const sourceBeatAge = sample.sourceHeartbeat && sample.sourceClock !== null ? (sample.sourceClock - sample.sourceHeartbeat.at) / 1000 : null;
  const archivers = [
    ['source', hop.source.id, sample.sourceArchiver],
    ['target', hop.target.id, sample.targetArchiver],
  ] as const;
  const failingArchive = archivers.find(([, , a]) => a && a.lastFailedAt !== null && (a.lastArchivedAt === null || a.lastFailedAt > a.lastArchivedAt));

  return [
    { key: k('source-unreachable'), graceMs: 0, active: !sample.source.ok, summary: `Source *${hop.source.id}* does not answer: ${sample.source.error ?? 'ok now'}. Lag is unknown.` },
    { key: k('target-unreachable'), graceMs: 0, active: !sample.target.ok, summary: `Target *${hop.target.id}* does not answer: ${sample.target.error ?? 'ok now'}. Lag is unknown.` },
    {
      key: k('lag'),
      graceMs: hop.thresholds.lagGraceSeconds * 1000,
      active: lagOver || bytesOver,
      summary: `Replication lag on *${hop.id}*: ${lag === null ? 'unknown' : formatSeconds(lag)} (max ${formatSeconds(max)})${physical && sample.byteLag !== null ? `, ${formatBytes(sample.byteLag)} of WAL not replayed (max ${formatBytes(hop.thresholds.maxLagBytes)})` : ''}.`,
    },
    {
      key: k('heartbeat-stalled'),
      graceMs: 0,
      active: sourceBeatAge !== null && sourceBeatAge > stallSeconds,
      summary: `The heartbeat on source *${hop.source.id}* has not advanced for ${sourceBeatAge === null ? '?' : formatSeconds(sourceBeatAge)}: lag cannot be measured.`,
    },
    {
      key: k('left-recovery'),
      graceMs: 0,
      active: physical && standby !== null && !standby.inRecovery,
      summary: `Standby *${hop.target.id}* left recovery before the cutover: it no longer follows *${hop.source.id}*.`,
    },
    { key: k('receiver-down'), graceMs: 0, active: physical && standby?.feed === 'down', summary: `The WAL receiver on *${hop.target.id}* is down: it is not streaming from *${hop.source.id}*.` },
    { key: k('replay-paused'), graceMs: 0, active: physical && standby?.replayPaused === true, summary: `WAL replay is *paused* on *${hop.target.id}*: lag will grow until it is resumed.` },
    {
      key: k('archiving-failing'),
      graceMs: 0,
      active: failingArchive !== undefined,
      summary: failingArchive
        ? `WAL archiving is failing on ${failingArchive[0]} *${failingArchive[1]}* (${failingArchive[2]?.failed} failures; backups are at risk).`
        : 'WAL archiving works again.',
    },
  ];
}
