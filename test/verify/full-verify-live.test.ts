import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

describe('/migrate verify --full on a live source: drift is told from loss', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let h: BotHarness;

  const ddl = `
    CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL);
    CREATE TABLE orders (id bigint PRIMARY KEY, status text, amount numeric(12,2));
    CREATE TABLE customers (id int PRIMARY KEY, name text);`;

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'source');
    target = await PgCluster.fresh(folder, 'target');
    for (const c of [source, target]) {
      await c.sql("CREATE ROLE cutover LOGIN PASSWORD 'pw'");
      await c.sql('CREATE DATABASE app');
      await c.sql(`${ddl} GRANT SELECT ON ALL TABLES IN SCHEMA public TO cutover;`, [], 'app');
    }
    await source.sql(`
      GRANT INSERT, UPDATE ON cutover_heartbeat TO cutover;
      INSERT INTO orders SELECT g, 'new', g * 0.5 FROM generate_series(1, 40000) g;
      INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 5000) g;
      CREATE PUBLICATION pub FOR ALL TABLES;`, [], 'app');
    await target.sql(`CREATE SUBSCRIPTION sub CONNECTION '${source.url('app')}' PUBLICATION pub`, [], 'app');
    await eventually(async () => ((await target.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0].n === '40000' ? true : undefined), 30_000, 'the initial copy');
    for (const c of [source, target]) await c.sql('ANALYZE', [], 'app');
    h = await BotHarness.start({
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: logical, source: source, target: target, subscription: sub }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
verify: { lag_window_seconds: 60 }
`),
      databaseUrls: { SOURCE_URL: source.url('app', 'cutover', 'pw'), TARGET_URL: target.url('app', 'cutover', 'pw') },
    });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await target?.sql('DROP SUBSCRIPTION IF EXISTS sub', [], 'app').catch(() => undefined);
    await source?.stop('immediate');
    await target?.stop('immediate');
    folder.remove();
  });

  test('writes during the run: no persistent difference, the rows that moved listed apart as in flight, the source said to be live', async () => {
    // The target falls behind (its apply stopped) while the source takes writes, and the writes go on during the run.
    await target.sql('ALTER SUBSCRIPTION sub DISABLE', [], 'app');
    await source.sql(`
      UPDATE orders SET status = 'paid' WHERE id % 1000 = 0;
      DELETE FROM orders WHERE id BETWEEN 20001 AND 20010;
      INSERT INTO orders SELECT g, 'new', 1 FROM generate_series(40001, 40020) g;`, [], 'app');
    const writer = new Client({ connectionString: source.url('app') });
    await writer.connect();
    let writing = true;
    const writes = (async () => {
      for (let i = 0; writing; i++) {
        await writer.query("UPDATE orders SET status = 'shipped' WHERE id = $1", [1 + ((i * 7919) % 40000)]);
        await writer.query("INSERT INTO orders VALUES ($1, 'new', 2)", [50_000 + i]);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      expect(await h.command('U0ANYONE', 'verify hop-one --full')).toContain('started');
      // The target catches up a little later: the verify waits for a heartbeat written after its first look.
      await new Promise((r) => setTimeout(r, 1500));
      await target.sql('ALTER SUBSCRIPTION sub ENABLE', [], 'app');
      const final = await eventually(() => h.slack.callsOf('chat.update').map((c) => messageText(c.args)).find((t) => /Full verify of hop-one (finished|failed)/.test(t)), 90_000, 'the full verify to finish');
      expect(final).toContain('Full verify of hop-one finished: every row of 2 tables matches');
      expect(final).toMatch(/\(\d+ rows in flight, listed apart\)/);
      expect(final).toContain('source live');
      const progress = h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('Full verify of hop-one'))!;
      const thread = await eventually(() => {
        const t = h.slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === progress.result?.ts).map((c) => messageText(c.args)).join('\n');
        return t.includes('In flight') ? t : undefined;
      }, 5000, 'the thread');
      expect(thread).not.toContain('Persistent differences');
      expect(thread).toContain('no persistent difference');
      // What the source changed while the target was behind is named, as in flight, never as missing.
      expect(thread).not.toMatch(/Persistent[\s\S]*missing on the target/);
      // Nor in words that read as a loss: in flight, a row is "not yet on the target", "changing"…
      expect(thread).not.toMatch(/missing on the target|extra on the target/);
      expect(thread).toMatch(/id=\d+ (changing|not yet on the target|not yet gone from the target)/);
      // The CSV is uploaded last, after the summary.
      const csv = await eventually(() => [...h.slack.uploads.values()].map((b) => b.toString()).join('') || undefined, 10_000, 'the CSV of differing keys');
      const lines = csv.split('\n').filter((l) => l.startsWith('public.orders,'));
      expect(lines.length).toBeGreaterThanOrEqual(70);
      expect(lines.every((l) => l.endsWith(',in flight'))).toBe(true);
      // Deleted on the source: extra on the target until it caught up; inserted: missing until then.
      expect(lines).toContain('public.orders,id,1000,different,,in flight');
      expect(lines).toContain('public.orders,id,20005,extra,,in flight');
      expect(lines).toContain('public.orders,id,40020,missing,,in flight');
    } finally {
      writing = false;
      await writes.catch(() => undefined);
      await writer.end();
    }
  }, 150_000);
});
