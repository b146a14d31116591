import { archivingFinding, standbyFinding, type PostCutoverFinding } from '../cutover/steps/post-cutover-checks';
import type { Gate } from '../gates/gate-runner';
import type { Hop } from '../plan/plan';
import type { CheckResult } from './check-result';
import type { Queryable } from '../db/database';
import { readArchiver, readReplicaConnections } from './physical-probes';

/**
 * A self-managed target's archiving and standbys before the cutover, judged as the post-cutover step
 * judges them: anything missing is a warning with its reason, never a NO-GO (the cutover does not
 * need them; the weeks after it do). Only for a target that is already a primary (logical, DMS):
 * a physical standby is checked once promoted. An RDS target has its own gate.
 */
export function selfManagedTargetGates(hop: Hop, target: () => Queryable): Gate[] {
  if (hop.target.rds || hop.method === 'physical') return [];
  const source = `target ${hop.target.id}`;
  return [
    {
      id: `target-copies:${hop.target.id}`,
      label: 'Target archiving and standbys',
      source,
      async run(): Promise<CheckResult[]> {
        const observedAt = Date.now();
        const asCheck = (id: string, label: string) => (f: PostCutoverFinding): CheckResult => ({ id, label, source, observedAt, status: f.warning ? 'warn' : 'ok', value: f.seen, detail: f.warning });
        const unread = (id: string, label: string, what: string) => (e: Error): CheckResult => ({ id, label, source, observedAt, status: 'warn', value: 'unknown', detail: `could not read ${what} on ${hop.target.id}: ${e.message}` });
        let db: Queryable;
        try {
          db = target();
        } catch (e) {
          return [unread('target.archiving', 'Target WAL archiving and standbys', 'the target')(e as Error)];
        }
        return Promise.all([
          readArchiver(db).then(archivingFinding).then(asCheck('target.archiving', 'Target WAL archiving'), unread('target.archiving', 'Target WAL archiving', 'pg_stat_archiver')),
          readReplicaConnections(db).then(standbyFinding).then(asCheck('target.standbys', 'Target standbys'), unread('target.standbys', 'Target standbys', 'pg_stat_replication')),
        ]);
      },
    },
  ];
}
