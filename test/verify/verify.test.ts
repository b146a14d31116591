import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

describe('/migrate verify: source against target for every table', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let h: BotHarness;

  const ddl = `
    CREATE TABLE same (id serial PRIMARY KEY, v text);
    CREATE TABLE fewer (id serial PRIMARY KEY, v text);
    CREATE TABLE changed (id serial PRIMARY KEY, v text);
    CREATE SCHEMA "Sales Data";
    CREATE TABLE "Sales Data"."Line Items" ("order" int PRIMARY KEY, "group" text);
    CREATE TABLE events (id bigint, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE TABLE empty_one (id serial PRIMARY KEY);
    CREATE TABLE big (id serial PRIMARY KEY, v text);
    CREATE TABLE locked_away (id serial PRIMARY KEY);
  `;
  const rows = `
    INSERT INTO same (v) SELECT 'v' || g FROM generate_series(1, 5000) g;
    INSERT INTO fewer (v) SELECT 'v' || g FROM generate_series(1, 100) g;
    INSERT INTO changed (v) SELECT 'v' || g FROM generate_series(1, 3000) g;
    INSERT INTO "Sales Data"."Line Items" SELECT g, 'g' FROM generate_series(1, 40) g;
    INSERT INTO events SELECT g, '2026-03-01' FROM generate_series(1, 50) g;
    INSERT INTO big (v) SELECT 'v' FROM generate_series(1, 500) g;
    INSERT INTO locked_away DEFAULT VALUES;
  `;

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'source');
    target = await PgCluster.fresh(folder, 'target');
    for (const c of [source, target]) {
      await c.sql("CREATE ROLE cutover LOGIN PASSWORD 'pw'");
      await c.sql('CREATE DATABASE app');
      await c.sql(ddl + 'CREATE TABLE only_here (id int);'.repeat(c === source ? 1 : 0) + rows, [], 'app');
      await c.sql('GRANT USAGE ON SCHEMA "Sales Data" TO cutover; GRANT SELECT ON ALL TABLES IN SCHEMA public, "Sales Data" TO cutover; ANALYZE', [], 'app');
    }
    await target.sql("DELETE FROM fewer WHERE id > 90; UPDATE changed SET v = 'tampered' WHERE id = 1500; REVOKE SELECT ON locked_away FROM cutover; ANALYZE", [], 'app');
    h = await BotHarness.start({
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: logical, source: source, target: target, subscription: sub }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
verify: { exact_row_limit: 4000, checksum_ranges: 4, range_size: 1000 }
`),
      databaseUrls: { SOURCE_URL: source.url('app', 'cutover', 'pw'), TARGET_URL: target.url('app', 'cutover', 'pw') },
    });
  });
  afterAll(async () => {
    await h.stop();
    await source.stop('immediate');
    await target.stop('immediate');
    folder.remove();
  });

  test('runs in the background, edits one progress message, and posts every mismatch in its thread', async () => {
    // A lock on one source table holds the first run, so the second request surely finds it running.
    const holder = new Client({ connectionString: source.url('app') });
    await holder.connect();
    await holder.query('BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE');
    try {
      const reply = await h.command('U0ANYONE', 'verify --checksum');
      expect(reply).toContain('started with sampled checksums');
      expect(await h.command('U0ANYONE', 'verify')).toContain('already running');
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    const final = await eventually(() => h.slack.callsOf('chat.update').map((c) => messageText(c.args)).find((t) => t.includes('finished')), 30_000, 'the verify to finish');
    const progress = h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('Verifying hop-one'))!;
    const thread = await eventually(() => h.slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === progress.result?.ts).map((c) => messageText(c.args)).join('\n'), 5000, 'the thread');
    expect(thread).toContain('`public.fewer`: rows: 100 on the source, 90 on the target; max id: 100 on the source, 90 on the target');
    expect(thread).toMatch(/`public\.changed`: checksums differ in id ranges 751\.\.1500$/m);
    expect(thread).toContain('`public.locked_away`: not readable by the bot on the target');
    expect(thread).toContain('`public.only_here`: missing on the target');
    expect(final).toContain('Verify of hop-one finished: 4 of 9 tables differ');
    expect(final).toMatch(/1 tables too large for an exact count/);
    for (const fine of ['public.same', 'Sales Data.Line Items', 'public.events', 'public.empty_one', 'public.big']) expect(thread).not.toContain(`\`${fine}\``);
    // The lock on the next run is released at the end.
    expect(await h.command('U0ANYONE', 'verify')).toContain('started');
  });
});
