import { BenchStore } from '../../src/bench/bench-store';
import { BotHarness } from '../support/bot-harness';
import { eventually, sleep } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { benchPlan } from './bench-plan';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('/migrate bench against a source and a target where one query lost its index', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let h: BotHarness;
  let w: BotHarness;

  const schema = async (db: PgCluster, indexed: boolean) => {
    await db.sql('CREATE DATABASE app');
    await db.sql('CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, note text)', [], 'app');
    await db.sql("INSERT INTO orders SELECT g, g % 5000, md5(g::text) FROM generate_series(1, 300000) g", [], 'app');
    if (indexed) await db.sql('CREATE INDEX orders_customer ON orders (customer_id)', [], 'app');
    await db.sql('CREATE TABLE marks (id serial PRIMARY KEY)', [], 'app');
    await db.sql('CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS $$ INSERT INTO marks DEFAULT VALUES RETURNING 1 $$', [], 'app');
    await db.sql('VACUUM ANALYZE orders', [], 'app');
  };

  beforeAll(async () => {
    [source, target] = await Promise.all([PgCluster.primary(folder, 'source'), PgCluster.primary(folder, 'target')]);
    // The target lacks the index on customer_id: that query becomes a sequential scan there.
    await Promise.all([schema(source, true), schema(target, false)]);
    const databaseUrls = { SOURCE_URL: source.url('app'), TARGET_URL: target.url('app') };
    h = await BotHarness.start({
      databaseUrls,
      // p50 keeps the verdict of a fast query steady on a busy machine; the sequential scan is ~100× anyway.
      plan: benchPlan(`
  runs: 20
  warmup: 2
  concurrency: 2
  max_ratio: 4
  compare: p50
  queries:
    - { name: orders_of_customer, sql: "SELECT count(*) FROM orders WHERE customer_id = $1", params: [42] }
    - { name: order_by_id, sql: "SELECT note FROM orders WHERE id = $1", params: [1234] }
`),
    });
    w = await BotHarness.start({
      databaseUrls,
      slack: h.slack,
      plan: benchPlan(`
  runs: 5
  statement_timeout_ms: 300
  queries:
    - { name: order_by_id, sql: "SELECT note FROM orders WHERE id = $1", params: [7] }
    - { name: bump_marks, sql: "SELECT bump()" }
    - { name: escape_attempt, sql: "SELECT 1; COMMIT; SELECT bump()" }
    - { name: sleepy, sql: "SELECT pg_sleep(5)" }
`),
    });
  }, 120_000);
  afterAll(async () => {
    await w?.stop();
    await h?.stop();
    await Promise.all([source?.stop('immediate'), target?.stop('immediate')]);
    folder.remove();
  });

  test('the query that scans the whole table on the target is NO-GO with its ratio; the indexed one is GO; the chart is uploaded; the result is kept', async () => {
    const text = await h.command('U0ANYONE', 'bench hop-one');
    expect(text).toContain('NO-GO: latency of target against source (hop-one)');
    const lines = text.split('\n');
    const slow = lines.find((l) => l.includes('*orders_of_customer*')) ?? '';
    expect(slow).toContain(':no_entry: NO-GO');
    expect(slow).toMatch(/\*p50 [\d.]+ ms → [\d.]+ ms \(([\d.]+)×\)\*/);
    expect(Number(/\*p50 [\d.]+ ms → [\d.]+ ms \(([\d.]+)×\)\*/.exec(slow)?.[1])).toBeGreaterThan(4);
    expect(text).toMatch(/p50 on the target is [\d.]+× the source's, over the plan's max_ratio 4/);
    expect(lines.find((l) => l.includes('*order_by_id*'))).toContain(':white_check_mark: GO');
    expect(text).toContain('20 timed runs after 2 warm-up, 2 connections at once on each side');

    await eventually(() => h.slack.callsOf('files.completeUploadExternal').some((c) => String(c.args.files).includes('Query latency on hop-one')), 10_000, 'the chart upload');
    expect([...h.slack.uploads.values()].some((b) => b.subarray(0, 8).equals(PNG))).toBe(true);

    const kept = await new BenchStore(h.bots[0].cutover.redis, h.bots[0].cutover.keys.bench).latest('hop-one');
    expect(kept).toMatchObject({ hop: 'hop-one', verdict: 'no-go', user: 'U0ANYONE', runs: 20 });
    const q = kept!.queries.find((x) => x.name === 'orders_of_customer')!;
    expect(q).toMatchObject({ verdict: 'no-go', source: { runs: 20 }, target: { runs: 20 } });
    expect(q.ratio.p50).toBeGreaterThan(4);
    expect(q.target.p50!).toBeGreaterThan(q.source.p50!);
  }, 60_000);

  test('one bench of a hop at a time: a second one asked meanwhile is refused, naming who runs the first', async () => {
    const [a, b] = await Promise.all([h.sendCommand('U0OPS1', 'bench hop-one'), h.sendCommand('U0OPS2', 'bench hop-one')]);
    const replies = await Promise.all([h.slack.replyTo(a.key, 30_000), h.slack.replyTo(b.key, 30_000)]);
    const refused = replies.filter((t) => t.startsWith(':hourglass: A bench of hop-one by <@U0OP'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/by <@(U0OPS1|U0OPS2)> is running; its figures are posted when it ends\. Nothing else was run\./);
    expect(replies.filter((t) => t.includes('NO-GO: latency of target against source (hop-one)'))).toHaveLength(1);
  }, 60_000);

  test('a query that writes is refused by the READ ONLY transaction, said as such, and writes nothing on either side', async () => {
    const text = await w.command('U0ANYONE', 'bench');
    expect(text).toContain('NO-GO');
    expect(text).toContain('*Refused as writes:* *bump_marks*');
    expect(text).toContain('The READ ONLY transaction every bench query runs in refused them, so nothing was written');
    expect(text).toMatch(/bump_marks.*\n.*refused as a write on the source: cannot execute INSERT in a read-only transaction/);
    // Several statements cannot leave the transaction: the extended protocol takes one.
    expect(text).toMatch(/escape_attempt.*\n.*did not complete on the source: cannot insert multiple commands into a prepared statement/);
    // The read next to them ran all its runs on both sides (its verdict is the first test's business).
    expect(text.split('\n').find((l) => l.includes('*order_by_id*'))).toMatch(/p50 [\d.]+ ms → [\d.]+ ms \([\d.]+×\)/);
    // The statement timeout bounds every run; the query stops at its first failure, it is not repeated.
    expect(text).toMatch(/sleepy.*\n.*did not complete on the source: canceling statement due to statement timeout/);
    for (const db of [source, target]) {
      expect(await db.sql('SELECT count(*)::int AS n FROM marks', [], 'app')).toEqual([{ n: 0 }]);
      expect(await db.sql("SELECT last_value, is_called FROM marks_id_seq", [], 'app')).toEqual([{ last_value: '1', is_called: false }]);
    }
  }, 60_000);

  test('refused while a cutover runs: nothing is run, nothing kept', async () => {
    const cutover = w.bots[0].cutover;
    const store = new BenchStore(cutover.redis, cutover.keys.bench);
    const kept = (await store.all('hop-one')).length;
    await cutover.migration.update((m) => ({ next: { ...m, hops: { ...m.hops, 'hop-one': { status: 'cutting-over', since: Date.now(), runId: 'run-1' } } }, result: undefined }));
    try {
      const scans = () => Promise.all([source, target].map((db) => db.sql("SELECT pg_stat_force_next_flush(), (SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'orders') AS n", [], 'app')));
      const before = await scans();
      const text = await w.command('U0OPS1', 'bench hop-one');
      expect(text.split('\n')[0]).toBe(':no_entry: No bench now: hop-one is cutting-over: a bench would load its databases and its figures would mean nothing now. Nothing was run.');
      expect((await store.all('hop-one')).length).toBe(kept);
      await sleep(1500);
      expect(await scans()).toEqual(before);
    } finally {
      await cutover.migration.update((m) => ({ next: { ...m, hops: { ...m.hops, 'hop-one': { status: 'streaming', since: Date.now() } } }, result: undefined }));
    }
  }, 30_000);
});
