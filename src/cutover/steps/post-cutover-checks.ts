import { writeHeartbeat } from '../../checks/heartbeat';
import { readArchiver, readReplicaConnections, type ArchiverState, type ReplicaConnection } from '../../checks/physical-probes';
import type { Hop } from '../../plan/plan';
import { rdsChecks } from '../../rds/rds-checks';
import { rdsHealthIn } from '../../rds/rds-health-in-region';
import { heartbeatTable, type Step } from './step';

/** One post-cutover check: what it saw, and the doubt it raises (a ⚠️ with its reason) when it is not good. */
export interface PostCutoverFinding {
  seen: string;
  warning?: string;
}

/**
 * After the app is back: a test write on the target, its archiving and its standbys. The app already
 * writes to the target, so nothing here stops the run: anything not good is a warning with its reason,
 * listed in the hop's completion message and in `status` until someone acknowledges it.
 */
export function postCutoverChecksStep(hop: Hop): Step {
  return {
    id: 'verify',
    title: 'Test write, replication and archiving, error-rate watch',
    describe: (d) => [`on target: INSERT INTO ${heartbeatTable(d.plan)} (source '${d.hop.target.id}') … (a test write)`, d.hop.target.rds ? 'RDS DescribeDBClusters/DescribeDBInstances and CloudWatch reader lag for the target (backups, members, protection, Multi-AZ)' : 'pg_stat_archiver and pg_stat_replication on the target', `Rollbar error rate watched for ${d.plan.cutover.errorWatchMinutes} min with the cutover threshold`],
    async run(d) {
      const target = d.databases.get(hop.target.id);
      const findings = await Promise.all([
        writeHeartbeat(target, d.plan.heartbeat, hop.target.id).then(
          (beat): PostCutoverFinding => ({ seen: `test write ok (heartbeat ${beat.seq})` }),
          (e: Error): PostCutoverFinding => ({ seen: 'test write FAILED', warning: `the test write on ${hop.target.id} failed: ${e.message}` }),
        ),
        // RDS/Aurora: backups and replicas are RDS's own (Aurora's pg_stat_archiver and pg_stat_replication say nothing meaningful).
        ...(hop.target.rds
          ? [managedTargetFindings(hop, hop.target.rds)]
          : [
              readArchiver(target).then(archivingFinding, (e: Error) => ({ seen: 'archiving unknown', warning: `could not read pg_stat_archiver on ${hop.target.id}: ${e.message}` })),
              readReplicaConnections(target).then(standbyFinding, (e: Error) => ({ seen: 'standbys unknown', warning: `could not read pg_stat_replication on ${hop.target.id}: ${e.message}` })),
            ]),
      ]).then((f) => f.flat());
      for (const f of findings) if (f.warning) await d.warn(f.warning);
      return `${findings.map((f) => f.seen).join('; ')}; error rate watched for ${d.plan.cutover.errorWatchMinutes} min`;
    },
  };
}

/** Archiving off, or failing more recently than it succeeded, leaves the new primary without point-in-time recovery. */
export function archivingFinding(a: ArchiverState): PostCutoverFinding {
  if (a.mode === 'off') return { seen: 'WAL archiving OFF', warning: 'WAL archiving is off on the new primary: no point-in-time recovery until it is on (archive_mode, archive_command)' };
  if (a.command === '') return { seen: 'archive_command empty', warning: 'archive_mode is on but archive_command (and archive_library) is empty on the new primary: WAL is kept, nothing is archived' };
  const failingNow = a.lastFailedAt !== null && (a.lastArchivedAt === null || a.lastFailedAt > a.lastArchivedAt);
  if (failingNow) return { seen: `archiving: ${a.archived} archived, ${a.failed} failed`, warning: `WAL archiving is failing on the new primary: its latest attempt failed (${a.failed} failures so far)` };
  if (a.lastArchivedAt === null) return { seen: `archiving: nothing archived yet, ${a.failed} failed`, warning: 'nothing has been archived yet on the new primary: archiving is not shown to work' };
  return { seen: `archiving: ${a.archived} archived, ${a.failed} failed` };
}

/** No standby means one copy of the data; hidden standbys cannot be counted. */
export function standbyFinding(replicas: ReplicaConnection[] | 'hidden'): PostCutoverFinding {
  if (replicas === 'hidden') return { seen: 'standbys hidden', warning: "cannot see the new primary's standbys: the bot's role lacks pg_monitor, so it cannot tell whether there is a second copy" };
  if (!replicas.length) return { seen: '0 standbys', warning: 'no standby streams from the new primary: the data has one copy until one is attached' };
  return { seen: `${replicas.length} standby${replicas.length === 1 ? '' : 's'}` };
}

/** An RDS/Aurora target's backups, members, protection and reader lag, each doubt a warning with its reason. */
async function managedTargetFindings(hop: Hop, rds: NonNullable<Hop['target']['rds']>): Promise<PostCutoverFinding[]> {
  try {
    const checks = rdsChecks(hop.target.id, await rdsHealthIn(rds.region).read(rds), hop.thresholds.maxLagSeconds);
    return checks.map((c) => ({ seen: `${c.label}: ${c.value ?? c.status}`, warning: c.status === 'ok' ? undefined : `${c.label} of ${hop.target.id} (${c.source}): ${c.value ?? c.status} — ${c.detail ?? 'not good'}` }));
  } catch (e) {
    return [{ seen: 'RDS health unknown', warning: `could not read the RDS health of ${hop.target.id}: ${(e as Error).message}` }];
  }
}
