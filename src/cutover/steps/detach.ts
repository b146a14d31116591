import { quoteIdent } from '../../db/database';
import type { Hop } from '../../plan/plan';
import { type Step, sleep } from './step';

/** Detach the target from its source: promote, disable the subscription, or stop the DMS task. */
export function detachStep(hop: Hop): Step {
  return {
    id: 'detach',
    title: { physical: 'Promote the standby and confirm it left recovery', logical: 'Disable the subscription', dms: 'Stop the DMS task once the fence is seen' }[hop.method],
    describe: (d) =>
      d.hop.method === 'physical'
        ? ['on target: SELECT pg_promote(true, 60)', 'on target: SELECT pg_is_in_recovery() until false']
        : d.hop.method === 'logical'
          ? [`on target: ALTER SUBSCRIPTION ${quoteIdent(d.hop.subscription ?? '?')} DISABLE`]
          : [`DMS StopReplicationTask ${d.hop.dms?.task}`, 'DescribeReplicationTasks until stopped'],
    async run(d) {
      const target = d.databases.get(hop.target.id);
      if (hop.method === 'physical') {
        const inRecovery = async () => (await target.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r;
        if (await inRecovery()) await target.query('SELECT pg_promote(true, 60)');
        if (await inRecovery()) throw new Error('the target is still in recovery after pg_promote');
        return 'promoted: the target left recovery';
      }
      if (hop.method === 'logical') {
        await target.query(`ALTER SUBSCRIPTION ${quoteIdent(hop.subscription!)} DISABLE`);
        return `subscription ${hop.subscription} disabled`;
      }
      const task = await d.dms.report(hop);
      if (task.task?.status !== 'stopped') await d.dms.stop(hop);
      for (let i = 0; i < 600; i++) {
        const r = await d.dms.report(hop);
        if (r.task?.status === 'stopped') return `DMS task ${r.task.id} stopped`;
        await sleep(1000);
      }
      throw new Error('the DMS task did not stop within 10 minutes');
    },
    async undo(d) {
      if (hop.method === 'logical') {
        await d.databases.get(hop.target.id).query(`ALTER SUBSCRIPTION ${quoteIdent(hop.subscription!)} ENABLE`);
        return 'subscription enabled again';
      }
      if (hop.method === 'dms') {
        await d.dms.start(hop, 'resume-processing');
        return 'DMS task resumed';
      }
      return 'the target stays promoted; the source is untouched (nothing was written to the target)';
    },
  };
}
