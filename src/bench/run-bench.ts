import type { BenchPlan, BenchQuery, Hop } from '../plan/plan';
import { judgeQuery, sideTimings, type BenchResult, type QueryResult, type Side, type SideTimings } from './bench-result';
import { BenchQueryError, READ_ONLY_REFUSAL, type BenchSession } from './bench-session';

/** What a bench needs: sessions on each side, the migration's state, a clock. */
export interface BenchPorts {
  /** Opens one short-lived session on a side of the hop, runs `work` on it and closes it. */
  session<T>(side: Side, work: (s: BenchSession) => Promise<T>): Promise<T>;
  /** Why a bench must not run now (a cutover under way), or undefined. Asked again before each query on each side. */
  refusal(): Promise<string | undefined>;
  now(): number;
}

class Stop extends Error {}

/**
 * Times each of the plan's bench queries on the hop's source, then on its target: `warmup` untimed
 * runs, then `runs` timed ones over `concurrency` connections. A query that fails on a side stops
 * there (it is not repeated); a cutover that begins, or the time limit, stops the bench.
 */
export async function runBench(hop: Hop, bench: BenchPlan, ports: BenchPorts, user: string): Promise<BenchResult> {
  const startedAt = ports.now();
  const deadline = startedAt + bench.timeLimitMs;
  const queries: QueryResult[] = [];
  let stopped: string | undefined;
  for (const query of bench.queries) {
    const sides: Partial<Record<Side, SideTimings>> = {};
    for (const side of ['source', 'target'] as const) {
      if (!stopped) {
        const why = await ports.refusal();
        if (why) stopped = why;
        else if (ports.now() >= deadline) stopped = `the time limit of ${bench.timeLimitMs / 1000} s was reached`;
      }
      sides[side] = stopped ? { runs: 0, failure: `not run: ${stopped}` } : await timeSide(query, side, bench, ports, deadline);
    }
    queries.push(judgeQuery(query.name, sides.source as SideTimings, sides.target as SideTimings, bench));
  }
  return {
    hop: hop.id,
    source: hop.source.id,
    target: hop.target.id,
    user,
    startedAt,
    finishedAt: ports.now(),
    runs: bench.runs,
    warmup: bench.warmup,
    concurrency: bench.concurrency,
    maxRatio: bench.maxRatio,
    compare: bench.compare,
    queries,
    verdict: queries.length && queries.every((q) => q.verdict === 'go') ? 'go' : 'no-go',
    stopped,
  };
}

/** One query on one side: warm-up, then the timed runs, shared by `concurrency` connections. */
async function timeSide(query: BenchQuery, side: Side, bench: BenchPlan, ports: BenchPorts, deadline: number): Promise<SideTimings> {
  const total = bench.warmup + bench.runs;
  const timings: number[] = [];
  let next = 0;
  let failure: { message: string; refusedAsWrite: boolean } | undefined;
  const worker = (s: BenchSession) => async () => {
    while (!failure && next < total) {
      if (ports.now() >= deadline) throw new Stop(`stopped at the time limit of ${bench.timeLimitMs / 1000} s`);
      const run = next++;
      const ms = await s.time(query);
      if (run >= bench.warmup) timings.push(ms);
    }
  };
  const workers = Array.from({ length: Math.min(bench.concurrency, total) }, () =>
    ports.session(side, (s) => worker(s)()).catch((e: unknown) => {
      failure ??= {
        message: e instanceof Stop ? e.message : (e as Error).message,
        refusedAsWrite: e instanceof BenchQueryError && e.code === READ_ONLY_REFUSAL,
      };
    }),
  );
  await Promise.all(workers);
  return sideTimings(timings, failure);
}
