import { BenchClaim, BenchStore } from '../bench/bench-store';
import { withBenchSession } from '../bench/bench-session';
import { runBench } from '../bench/run-bench';
import { benchChartPng } from '../charts/bench-chart';
import { mayBench } from '../migration/migration-machine';
import { benchView } from '../views/bench-view';
import { mention, notice } from '../views/slack-text';
import { hopArgument } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

export const benchCommand: Subcommand = {
  name: 'bench',
  usage: 'bench [hop]',
  summary: "Time the plan's bench queries on the hop's source and target (read-only): p50/p95/p99, target ÷ source, a chart, GO / NO-GO",
  mutating: false,
  changesMigration: false,
  databaseCost: () => 'bench',
  async run(inv, c) {
    if (inv.args.length > 1) throw new UsageError('bench takes one hop at most');
    const hop = await hopArgument(inv.args[0], c);
    const bench = c.plan.bench;
    if (!bench.queries.length) {
      return { reply: notice(':information_source: The plan has no `bench.queries`: name the app\'s own slow queries there (`{ name, sql, params }`) and run `/migrate bench` again. Nothing was run.'), outcome: 'refused', detail: 'no bench queries' };
    }
    const refusal = async () => {
      const d = mayBench(await c.migration.read());
      return d.ok ? undefined : d.why;
    };
    const now = await refusal();
    if (now) return { reply: notice(`:no_entry: No bench now: ${now}. Nothing was run.`), outcome: 'refused', detail: now };
    const deps = c.stepDeps(hop);
    const urls = { source: deps.sourceUrl, target: deps.targetUrl };
    const missing = (['source', 'target'] as const).filter((s) => !urls[s]).map((s) => hop[s].urlEnv);
    if (missing.length) return { reply: notice(`:no_entry: No bench: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set. Nothing was run.`), outcome: 'refused', detail: 'database URL not set' };
    // Every run is bounded by its statement timeout; the claim outlives the time limit plus one run on each connection.
    const claim = new BenchClaim(c.redis, `${c.keys.bench(hop.id)}:running`);
    const taken = await claim.take(inv.user, bench.timeLimitMs + 2 * (bench.statementTimeoutMs + c.plan.databaseTimeouts.connectTimeoutMs) + 10_000);
    if (!taken.taken) return { reply: notice(`:hourglass: A bench of ${hop.id} by ${mention(taken.by)} is running; its figures are posted when it ends. Nothing else was run.`), outcome: 'refused', detail: 'a bench is running' };
    try {
      const result = await runBench(
        hop,
        bench,
        {
          session: (side, work) => withBenchSession({ url: urls[side], tls: hop[side].tls }, { connectTimeoutMs: c.plan.databaseTimeouts.connectTimeoutMs, statementTimeoutMs: bench.statementTimeoutMs }, work),
          refusal,
          now: () => Date.now(),
        },
        inv.user,
      );
      await new BenchStore(c.redis, c.keys.bench).add(result);
      return {
        reply: benchView(result),
        files: [{ filename: `bench-${hop.id}.png`, title: `Query latency on ${hop.id}`, data: benchChartPng(result) }],
        detail: `${result.verdict === 'go' ? 'GO' : 'NO-GO'}: ${result.queries.map((q) => `${q.name} ${q.verdict}${q.ratio[result.compare] === undefined ? '' : ` ${q.ratio[result.compare]!.toFixed(2)}x`}`).join(', ')}`,
      };
    } finally {
      await claim.release(inv.user).catch(() => undefined);
    }
  },
};
