import type { CheckResult } from '../checks/check-result';
import { formatSeconds } from '../checks/units';
import type { RdsHealth, RdsMember } from './rds-health';

/** A latest restorable time further back than this means point-in-time recovery is not keeping up. */
const RESTORABLE_STALE_MS = 15 * 60_000;

/**
 * The managed target's own health as checks: backups off, or no writer (and no member at all)
 * `available`, fail; deletion protection off, single-AZ, a reader not available or lagging past
 * `maxLagSeconds`, and lag CloudWatch could not give, are warnings with their reason.
 */
export function rdsChecks(database: string, h: RdsHealth, maxLagSeconds: number): CheckResult[] {
  const source = `RDS ${h.kind} ${h.id} (target ${database})`;
  const base = { source, observedAt: h.observedAt };
  const out: CheckResult[] = [backupsCheck(h, base), membersCheck(h, base)];
  out.push(
    h.deletionProtection
      ? { ...base, id: 'rds.deletion-protection', label: 'Deletion protection', status: 'ok', value: 'on' }
      : { ...base, id: 'rds.deletion-protection', label: 'Deletion protection', status: 'warn', value: 'off', detail: `the ${h.kind} can be deleted by a single API call: turn deletion protection on` },
  );
  out.push(
    h.multiAz
      ? { ...base, id: 'rds.multi-az', label: 'Multi-AZ', status: 'ok', value: 'yes' }
      : { ...base, id: 'rds.multi-az', label: 'Multi-AZ', status: 'warn', value: 'single-AZ', detail: h.kind === 'cluster' ? 'every instance is in one Availability Zone: add a reader in another AZ so a failover has somewhere to go' : 'one Availability Zone: an AZ outage takes the new primary down (enable Multi-AZ)' },
  );
  const readers = h.members.filter((m) => !m.writer);
  if (readers.length) out.push(lagCheck(readers, h, maxLagSeconds, base));
  return out;
}

type Base = { source: string; observedAt: number };

function backupsCheck(h: RdsHealth, base: Base): CheckResult {
  const c = { ...base, id: 'rds.backups', label: 'Automated backups' };
  if (h.backupRetentionDays <= 0) return { ...c, status: 'fail', value: 'OFF (retention 0 days)', detail: 'no automated backups, so no point-in-time recovery once the app writes here: set a backup retention period' };
  const days = `${h.backupRetentionDays} day${h.backupRetentionDays === 1 ? '' : 's'}`;
  if (h.latestRestorableAt === undefined) return { ...c, status: 'warn', value: `${days}, no latest restorable time`, detail: 'RDS reports no latest restorable time: point-in-time recovery is not shown to work yet' };
  const age = h.observedAt - h.latestRestorableAt;
  const value = `${days}, restorable to ${new Date(h.latestRestorableAt).toISOString()}`;
  if (age > RESTORABLE_STALE_MS) return { ...c, status: 'warn', value, detail: `the latest restorable time is ${formatSeconds(age / 1000)} old: point-in-time recovery is falling behind` };
  return { ...c, status: 'ok', value };
}

function membersCheck(h: RdsHealth, base: Base): CheckResult {
  const c = { ...base, id: 'rds.members', label: h.kind === 'cluster' ? 'Cluster members' : 'Instance and read replicas' };
  const line = (m: RdsMember) => `${m.id}${m.writer ? ' (writer)' : ''} ${m.status}`;
  const value = h.members.map(line).join(', ') || 'no members';
  const writer = h.members.find((m) => m.writer);
  if (!h.members.some((m) => m.status === 'available')) return { ...c, status: 'fail', value, detail: `no member of ${h.id} is available: nothing could take the app's writes` };
  if (!writer || writer.status !== 'available') return { ...c, status: 'fail', value, detail: writer ? `the writer ${writer.id} is ${writer.status}, not available: the app's writes go to it` : `${h.id} has no writer` };
  const down = h.members.filter((m) => m.status !== 'available');
  if (down.length) return { ...c, status: 'warn', value, detail: `${down.map(line).join(', ')}: not available, so not a failover target` };
  if (h.status !== 'available' && h.status !== 'backing-up') return { ...c, status: 'warn', value: `${value}; ${h.kind} ${h.status}`, detail: `the ${h.kind} is ${h.status}, not available` };
  return { ...c, status: 'ok', value };
}

function lagCheck(readers: RdsMember[], h: RdsHealth, maxLagSeconds: number, base: Base): CheckResult {
  const c = { ...base, id: 'rds.replica-lag', label: h.kind === 'cluster' ? 'Reader lag (AuroraReplicaLag)' : 'Read replica lag (ReplicaLag)', threshold: formatSeconds(maxLagSeconds) };
  const value = readers.map((r) => `${r.id} ${r.lagSeconds === undefined ? 'no recent point' : formatSeconds(r.lagSeconds)}`).join(', ');
  if (h.lagError) return { ...c, status: 'warn', value: 'unknown', detail: `reader lag could not be read: ${h.lagError}` };
  const behind = readers.filter((r) => r.lagSeconds !== undefined && r.lagSeconds > maxLagSeconds);
  if (behind.length) return { ...c, status: 'warn', value, detail: `${behind.map((r) => r.id).join(', ')} behind the writer by more than ${formatSeconds(maxLagSeconds)}` };
  return { ...c, status: 'ok', value };
}
