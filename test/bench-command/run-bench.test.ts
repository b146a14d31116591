import { judgeQuery, percentile, sideTimings } from '../../src/bench/bench-result';
import { BenchQueryError, type BenchSession } from '../../src/bench/bench-session';
import { runBench, type BenchPorts } from '../../src/bench/run-bench';
import { benchPlan } from './bench-plan';

const plan = benchPlan(`
  runs: 10
  warmup: 2
  concurrency: 2
  max_ratio: 2
  queries:
    - { name: first, sql: SELECT 1 }
    - { name: second, sql: SELECT 2 }
`);
const hop = plan.hops[0];

/** Sessions that answer each query in a fixed time per side, counting the runs. */
function ports(ms: Record<'source' | 'target', number>, refusal: () => string | undefined = () => undefined, clock = { t: 0 }): BenchPorts & { runs: Record<string, number> } {
  const runs: Record<string, number> = {};
  return {
    runs,
    session: (side, work) => {
      const s: BenchSession = {
        time: async (q) => {
          runs[`${q.name}@${side}`] = (runs[`${q.name}@${side}`] ?? 0) + 1;
          clock.t += 1;
          return ms[side];
        },
      };
      return work(s);
    },
    refusal: async () => refusal(),
    now: () => clock.t,
  };
}

describe('a bench of a hop, with sessions that answer in known times', () => {
  test('each query runs warm-up plus runs on each side; a target 3× slower is NO-GO at max_ratio 2, a target as fast is GO', async () => {
    const p = ports({ source: 2, target: 6 });
    const r = await runBench(hop, plan.bench, p, 'U1');
    expect(p.runs).toEqual({ 'first@source': 12, 'first@target': 12, 'second@source': 12, 'second@target': 12 });
    expect(r.queries[0]).toMatchObject({ name: 'first', verdict: 'no-go', ratio: { p50: 3, p95: 3, p99: 3 }, source: { runs: 10, p50: 2 }, target: { runs: 10, p95: 6 } });
    expect(r.queries[0].why).toBe("p95 on the target is 3.00× the source's, over the plan's max_ratio 2");
    expect(r.verdict).toBe('no-go');
    const same = await runBench(hop, plan.bench, ports({ source: 2, target: 2 }), 'U1');
    expect(same.verdict).toBe('go');
    expect(same.queries.map((q) => q.verdict)).toEqual(['go', 'go']);
  });

  test('a cutover that begins during the bench stops it before the next query: what did not run is NO-GO and says why', async () => {
    let asked = 0;
    const p = ports({ source: 1, target: 1 }, () => (++asked > 2 ? 'hop-one is cutting-over' : undefined));
    const r = await runBench(hop, plan.bench, p, 'U1');
    expect(p.runs).toEqual({ 'first@source': 12, 'first@target': 12 });
    expect(r.stopped).toBe('hop-one is cutting-over');
    expect(r.queries[0].verdict).toBe('go');
    expect(r.queries[1]).toMatchObject({ verdict: 'no-go', why: 'did not complete on the source: not run: hop-one is cutting-over' });
    expect(r.verdict).toBe('no-go');
  });

  test('a cutover that begins while a side runs stops it within a second of runs: the side is NO-GO, nothing more runs', async () => {
    const clock = { t: 0 };
    let cutover = false;
    const p = ports({ source: 1, target: 1 }, () => (cutover ? 'hop-one is cutting-over' : undefined), clock);
    const session = p.session.bind(p);
    // Each run takes 400 ms of the clock; the cutover begins during the source's fifth run (at 1.6 s), the bench asks at 1.2 s and 2.4 s.
    p.session = (side, work) =>
      session(side, (s) =>
        work({
          time: async (q) => {
            clock.t += 399;
            if (p.runs[`${q.name}@${side}`] === 4) cutover = true;
            return s.time(q);
          },
        }),
      );
    const r = await runBench(hop, { ...plan.bench, concurrency: 1 }, p, 'U1');
    expect(p.runs).toEqual({ 'first@source': 6 });
    expect(r.stopped).toBe('hop-one is cutting-over');
    expect(r.queries[0].source.failure).toMatch(/^stopped after 4 runs: hop-one is cutting-over$/);
    expect(r.queries.map((q) => q.verdict)).toEqual(['no-go', 'no-go']);
  });

  test('the time limit stops the runs in flight; the query is NO-GO, not judged on the runs it had', async () => {
    const clock = { t: 0 };
    const limited = { ...plan.bench, timeLimitMs: 15 };
    const r = await runBench(hop, limited, ports({ source: 1, target: 1 }, undefined, clock), 'U1');
    expect(r.queries[0].source.failure).toBeUndefined();
    expect(r.queries[0].target.failure).toMatch(/^stopped after \d runs: the time limit of 0\.015 s was reached$/);
    expect(r.stopped).toBe('the time limit of 0.015 s was reached');
    expect(r.queries[1].source.failure).toBe('not run: the time limit of 0.015 s was reached');
    expect(r.queries[1].verdict).toBe('no-go');
    expect(r.verdict).toBe('no-go');
  });

  test('a query PostgreSQL refuses as a write stops after its first run and is marked as a write', async () => {
    let runs = 0;
    const p: BenchPorts = {
      session: (_side, work) =>
        work({
          time: async () => {
            runs++;
            throw new BenchQueryError('cannot execute INSERT in a read-only transaction', '25006');
          },
        }),
      refusal: async () => undefined,
      now: () => 0,
    };
    const r = await runBench(hop, { ...plan.bench, concurrency: 1 }, p, 'U1');
    expect(runs).toBe(4);
    expect(r.queries[0]).toMatchObject({ verdict: 'no-go', source: { refusedAsWrite: true, runs: 0 }, why: 'refused as a write on the source: cannot execute INSERT in a read-only transaction' });
  });

  test('no queries is no GO', async () => {
    expect((await runBench(hop, { ...plan.bench, queries: [] }, ports({ source: 1, target: 1 }), 'U1')).verdict).toBe('no-go');
  });
});

describe('percentiles and verdicts', () => {
  test('nearest rank: p50 of 1..10 is 5, p95 and p99 are 10; p99 of 100 runs is the 99th', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([percentile(ten, 50), percentile(ten, 95), percentile(ten, 99)]).toEqual([5, 10, 10]);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(sideTimings([3, 1, 2])).toEqual({ runs: 3, p50: 2, p95: 3, p99: 3 });
  });

  test('the verdict reads the plan\'s percentile: a slow tail is NO-GO at p99 while p50 is GO', () => {
    const source = sideTimings(Array(100).fill(1));
    const target = sideTimings([...Array(98).fill(1), 50, 50]);
    expect(judgeQuery('q', source, target, { maxRatio: 2, compare: 'p50' }).verdict).toBe('go');
    expect(judgeQuery('q', source, target, { maxRatio: 2, compare: 'p99' })).toMatchObject({ verdict: 'no-go', ratio: { p50: 1, p99: 50 } });
  });
});
