import { readHeartbeat, showsHeartbeat, writeHeartbeat } from '../../checks/heartbeat';
import { formatSeconds } from '../../checks/units';
import { waitForDmsToSettle } from '../../dms/dms-fence';
import { batchApplyText, parseTaskSettings } from '../../dms/task-settings';
import type { Hop, Plan } from '../../plan/plan';
import { FenceTimeout, type Step, heartbeatTable, sleep } from './step';
import { lateWritersFailure, writersAfterTheCheck } from './writers';

/** Time between the two reads of DMS table statistics (longer with batch apply holding batches longer). */
export const DMS_SETTLE_MS = 3000;

/** Which fence a hop gets, in words: the dry-run and the step's result name it. */
export function fenceKind(hop: Hop): string {
  if (hop.method !== 'dms') return 'heartbeat only (the replication applies in commit order)';
  return hop.dms?.cloudwatch ? 'heartbeat + CDC latency + table statistics' : 'heartbeat + table statistics (no CloudWatch in the plan: CDC latency not checked)';
}

/**
 * The fence: a last heartbeat on the source, waited for on the target. A DMS hop also needs its
 * table statistics to stop moving and, with CloudWatch, CDCLatencyTarget within the threshold:
 * with batch apply a heartbeat that arrived proves nothing about the other tables.
 */
export function fenceStep(hop: Hop): Step {
  return {
    id: 'fence',
    title: hop.method === 'dms' ? 'Fence: final heartbeat on the source seen on the target, and DMS settled' : 'Fence: final heartbeat on the source, wait until the target shows it',
    describe: (d) => [
      `fence used: ${fenceKind(d.hop)}`,
      `on source: INSERT INTO ${heartbeatTable(d.plan)} … ON CONFLICT (source) DO UPDATE SET seq = seq + 1, beat_at = clock_timestamp() RETURNING seq, beat_at`,
      `on target: SELECT seq, beat_at FROM ${heartbeatTable(d.plan)} WHERE source = '${d.hop.source.id}' until seq ≥ that and beat_at ≥ its time (both the source's)`,
      "on source, once the target shows it: the writers check once more (not counting sessions let through by an approved Continue anyway); a session that can write now started after the writers step's last look: stop with its list",
      ...(d.hop.method === 'dms' ? dmsLines(d.hop, d.plan) : []),
      `everything above within the fence timeout, ${d.plan.cutover.fenceTimeoutSeconds} s`,
    ],
    async preview(d) {
      if (hop.method !== 'dms') return [`fence used: ${fenceKind(hop)}`];
      const { task } = await d.dms.fenceLook(hop);
      return [`fence used: ${fenceKind(hop)}; task ${task.id} is ${task.status}, ${batchApplyText(parseTaskSettings(task.settings))}`];
    },
    async run(d) {
      const deadline = Date.now() + d.fenceTimeoutMs;
      const beat = await writeHeartbeat(d.databases.get(hop.source.id), d.plan.heartbeat, hop.source.id);
      for (;;) {
        const seen = await readHeartbeat(d.databases.get(hop.target.id), d.plan.heartbeat, hop.source.id).catch(() => undefined);
        if (showsHeartbeat(seen, beat)) break;
        if (Date.now() > deadline) throw new FenceTimeout(`the target did not show heartbeat ${beat.seq} within ${d.fenceTimeoutMs / 1000} s (newest seen: ${seen?.seq ?? 'none'})`);
        await sleep(100);
      }
      const heartbeat = `target has heartbeat ${beat.seq} ${Date.now() - beat.at} ms after it was written`;
      // Once more the writers check: what a session connected since the writers step writes now is not on the target.
      const late = await writersAfterTheCheck(hop, d);
      if (late.length) throw new FenceTimeout(lateWritersFailure(late));
      if (hop.method !== 'dms') return heartbeat;
      const outcome = await waitForDmsToSettle(
        { look: () => d.dms.fenceLook(hop), cdcLatency: () => d.dms.cdcLatency(hop) },
        { deadline, cloudwatch: Boolean(hop.dms?.cloudwatch), maxCdcLatencySeconds: hop.thresholds.maxCdcLatencySeconds, settleMs: DMS_SETTLE_MS, sleep },
      );
      if (outcome.settled) return `${heartbeat}; ${outcome.result}`;
      const said = `the heartbeat reached the target, but ${outcome.why} (${batchApplyText(outcome.batchApply)})`;
      if (outcome.hopeless) throw new Error(said);
      throw new FenceTimeout(`not settled within ${d.fenceTimeoutMs / 1000} s: ${said}`);
    },
  };
}

function dmsLines(hop: Hop, plan: Pick<Plan, 'cutover'>): string[] {
  return [
    `DMS DescribeReplicationTasks ${hop.dms?.task} with its settings: the task must be running; TargetMetadata.BatchApplyEnabled is named in the result`,
    `DMS DescribeTableStatistics twice, ${formatSeconds(DMS_SETTLE_MS / 1000)} apart (longer than BatchApplyTimeoutMin with batch apply), again until no table's inserts/updates/deletes moved and none is in error`,
    hop.dms?.cloudwatch
      ? `CloudWatch AWS/DMS CDCLatencyTarget (${hop.dms.cloudwatch.replicationInstance}/${hop.dms.cloudwatch.taskResourceId}) ≤ ${formatSeconds(hop.thresholds.maxCdcLatencySeconds)} in the same round`
      : 'CDC latency not checked: the plan gives no dms.cloudwatch for this hop',
    ...(plan.cutover.fenceTimeoutSeconds * 1000 < 2 * DMS_SETTLE_MS ? [`⚠️ the fence timeout (${plan.cutover.fenceTimeoutSeconds} s) leaves little room for two reads ${formatSeconds(DMS_SETTLE_MS / 1000)} apart`] : []),
  ];
}
