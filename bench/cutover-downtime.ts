// The bot's own share of the downtime of a physical cutover on a local primary + streaming
// standby: from "writes stopped" to "app back", minus the fence step (the wait for the target to
// catch up, which is the database's share). Heroku and Rollbar are local stand-ins; Slack too.
import { approveBy, finishedRun, physicalRig } from '../test/support/cutover-world';
import { percentile } from './counting-queryable';
import type { Figure } from './sampling-round';

async function oneCutover(): Promise<{ downtime: number; fence: number; steps: Record<string, number> }> {
  const rig = await physicalRig({ rows: 10_000, rollbarWriteToken: 'rollbar-write-token' });
  const { h } = rig;
  try {
    await h.command('U0OPS1', 'lock bench');
    await h.command('U0OPS1', 'cutover');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    const run = await finishedRun(h);
    if (run.status !== 'done') throw new Error(`cutover ${run.status}: ${run.failure}`);
    const took = (id: string) => (run.steps[id].finishedAt ?? 0) - (run.steps[id].startedAt ?? 0);
    return { downtime: run.appBackAt! - run.writesStoppedAt!, fence: took('fence'), steps: Object.fromEntries(Object.keys(run.steps).map((k) => [k, took(k)])) };
  } finally {
    await rig.stop();
  }
}

export async function benchCutoverDowntime(runs = 3): Promise<Figure[]> {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await oneCutover());
  const share = results.map((r) => r.downtime - r.fence).sort((a, b) => a - b);
  const worst = results.reduce((a, b) => (a.downtime - a.fence > b.downtime - b.fence ? a : b));
  const how = `${runs} physical cutovers on a local primary + streaming standby, Heroku and Rollbar stand-ins on loopback`;
  return [
    { name: 'cutover: downtime (writes stopped → app back), median', value: `${percentile(results.map((r) => r.downtime).sort((a, b) => a - b), 50)} ms`, how },
    { name: 'cutover: bot share of downtime (minus the fence wait), median / max', value: `${percentile(share, 50)} / ${share[share.length - 1]} ms`, how: `${how}; target under 5,000 ms` },
    { name: 'cutover: slowest run, per step', value: Object.entries(worst.steps).map(([k, v]) => `${k} ${v}`).join(', '), how: 'milliseconds per runbook step' },
  ];
}
