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

/** Stops the whole bench (a cutover began, the time limit): what did not run is not run. */
class Stop extends Error {}

/** How often a running side asks again whether a cutover began (a Redis read, not a database query). */
export const REFUSAL_CHECK_MS = 1000;

/**
 * Times each of the plan's bench queries on the hop's source, then on its target: `warmup` untimed
 * runs, then `runs` timed ones over `concurrency` connections. A query that fails on a side stops
 * there (it is not repeated); a cutover that begins (asked again every second while a side runs), or
 * the time limit, stops the whole bench.
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
      if (stopped) sides[side] = { runs: 0, failure: `not run: ${stopped}` };
      else {
        const timed = await timeSide(query, side, bench, ports, deadline);
        sides[side] = timed.timings;
        stopped = timed.stopped;
      }
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
async function timeSide(query: BenchQuery, side: Side, bench: BenchPlan, ports: BenchPorts, deadline: number): Promise<{ timings: SideTimings; stopped?: string }> {
  const total = bench.warmup + bench.runs;
  const timings: number[] = [];
  let next = 0;
  let failure: { message: string; refusedAsWrite: boolean } | undefined;
  let stopped: string | undefined;
  let checkedAt = ports.now();
  const stop = (why: string) => {
    stopped ??= why;
    return new Stop(`stopped after ${timings.length} runs: ${why}`);
  };
  const worker = (s: BenchSession) => async () => {
    while (!failure && next < total) {
      if (ports.now() >= deadline) throw stop(`the time limit of ${bench.timeLimitMs / 1000} s was reached`);
      if (ports.now() - checkedAt >= REFUSAL_CHECK_MS) {
        checkedAt = ports.now();
        const why = await ports.refusal();
        if (why) throw stop(why);
      }
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
  return { timings: sideTimings(timings, failure), stopped };
}
