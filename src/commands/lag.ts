import { lagChartPng } from '../charts/lag-chart';
import { lagChecks } from '../checks/lag-checks';
import { catchUpReader } from '../dms/hop-catch-up';
import { lagView } from '../views/lag-view';
import { hopArgument } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

const TREND_MS = 30 * 60_000;

export const lagCommand: Subcommand = {
  name: 'lag',
  usage: 'lag [hop]',
  summary: 'Replication lag of a hop now: every metric, the last 30 minutes, and a chart',
  mutating: false,
  changesMigration: false,
  async run(inv, c) {
    if (inv.args.length > 1) throw new UsageError('lag takes one hop at most');
    const hop = await hopArgument(inv.args[0], c);
    const [sample, trend, migration] = await Promise.all([c.monitor.sampleOf(hop), c.samples.since(hop.id, inv.now - TREND_MS), c.migration.read()]);
    const checks = lagChecks(sample, hop, migration.hops[hop.id]?.status === 'done');
    const series = [...trend, sample];
    const files =
      series.length >= 2
        ? [{ filename: `lag-${hop.id}.png`, title: `Lag on ${hop.id}`, data: lagChartPng(series, `Lag on ${hop.id} (heartbeat)`, hop.thresholds.maxLagSeconds, c.plan.schedule.timezone) }]
        : undefined;
    const note = files ? 'chart posted in this channel' : 'no chart yet: fewer than two samples';
    return { reply: lagView(hop, sample, checks, series, note, await catchUpReader(c.dms)(hop, series, inv.now)), files };
  },
};
