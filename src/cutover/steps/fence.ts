import { readHeartbeat, writeHeartbeat } from '../../checks/heartbeat';
import type { Hop } from '../../plan/plan';
import { FenceTimeout, type Step, heartbeatTable, sleep } from './step';

/** The fence: a last heartbeat on the source, waited for on the target. */
export function fenceStep(hop: Hop): Step {
  return {
    id: 'fence',
    title: 'Fence: final heartbeat on the source, wait until the target shows it',
    describe: (d) => [`on source: INSERT INTO ${heartbeatTable(d.plan)} … ON CONFLICT (source) DO UPDATE SET seq = seq + 1 RETURNING seq`, `on target: SELECT seq FROM ${heartbeatTable(d.plan)} WHERE source = '${d.hop.source.id}' until seq ≥ that (timeout ${d.plan.cutover.fenceTimeoutSeconds} s)`],
    async run(d) {
      const beat = await writeHeartbeat(d.databases.get(hop.source.id), d.plan.heartbeat, hop.source.id);
      const deadline = Date.now() + d.fenceTimeoutMs;
      for (;;) {
        const seen = await readHeartbeat(d.databases.get(hop.target.id), d.plan.heartbeat, hop.source.id).catch(() => undefined);
        if (seen && seen.seq >= beat.seq) return `target has heartbeat ${beat.seq} ${Date.now() - beat.at} ms after it was written`;
        if (Date.now() > deadline) throw new FenceTimeout(`the target did not show heartbeat ${beat.seq} within ${d.fenceTimeoutMs / 1000} s (newest seen: ${seen?.seq ?? 'none'})`);
        await sleep(100);
      }
    },
  };
}
