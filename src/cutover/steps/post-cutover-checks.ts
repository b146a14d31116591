import { readArchiver, readReplicaConnections } from '../../checks/physical-probes';
import { writeHeartbeat } from '../../checks/heartbeat';
import type { Hop } from '../../plan/plan';
import { type Step, heartbeatTable } from './step';

/** After the app is back: a test write on the target, its archiving and standbys. */
export function postCutoverChecksStep(hop: Hop): Step {
  return {
    id: 'verify',
    title: 'Test write, replication and archiving, error-rate watch',
    describe: (d) => [`on target: INSERT INTO ${heartbeatTable(d.plan)} (source '${d.hop.target.id}') … (a test write)`, 'pg_stat_archiver and pg_stat_replication on the target', `Rollbar error rate watched for ${d.plan.cutover.errorWatchMinutes} min with the cutover threshold`],
    async run(d) {
      const target = d.databases.get(hop.target.id);
      const beat = await writeHeartbeat(target, d.plan.heartbeat, hop.target.id);
      const [archiver, replicas] = await Promise.all([readArchiver(target), readReplicaConnections(target)]);
      const arch = archiver.mode === 'off' ? 'WAL archiving OFF' : `archiving: ${archiver.archived} archived, ${archiver.failed} failed`;
      const reps = replicas === 'hidden' ? 'standbys hidden' : `${replicas.length} standby${replicas.length === 1 ? '' : 's'}`;
      return `test write ok (heartbeat ${beat.seq}); ${arch}; ${reps}; error rate watched for ${d.plan.cutover.errorWatchMinutes} min`;
    },
  };
}
