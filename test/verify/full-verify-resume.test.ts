import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { parsePlan } from '../../src/plan/load-plan';
import { keysFor } from '../../src/state/keys';
import { fullVerifyKeys } from '../../src/verify/full/full-verify-store';
import { BotHarness } from '../support/bot-harness';
import { TEST_REDIS_URL } from '../support/redis';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { SlackStandIn, messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

describe('/migrate verify --full runs like a job', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let slack: SlackStandIn;
  const name = `t-${randomBytes(5).toString('hex')}`;
  const plan = parsePlan(`
name: ${name}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: physical, source: source, target: target }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
verify: { concurrency: 1 }
`);
  const keys = fullVerifyKeys(keysFor(name).verifyRun('hop-one'));
  const tables = ['a_1', 'a_2', 'a_3', 'z_last'];
  let urls: Record<string, string>;

  /** Statements that read each table on the source so far (sequential and index scans). */
  async function reads(): Promise<Record<string, number>> {
    const rows = await source.sql<{ relname: string; n: string }>('SELECT relname, COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0) AS n FROM pg_stat_user_tables', [], 'app');
    return Object.fromEntries(rows.map((r) => [r.relname, Number(r.n)]));
  }

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'source');
    target = await PgCluster.fresh(folder, 'target');
    for (const c of [source, target]) {
      await c.sql("CREATE ROLE cutover LOGIN PASSWORD 'pw'");
      await c.sql('CREATE DATABASE app');
      for (const t of tables) await c.sql(`CREATE TABLE ${t} (id int PRIMARY KEY, v text); INSERT INTO ${t} SELECT g, 'v' || g FROM generate_series(1, 5000) g`, [], 'app');
      await c.sql('GRANT SELECT ON ALL TABLES IN SCHEMA public TO cutover; ANALYZE', [], 'app');
    }
    slack = await new SlackStandIn().start();
    urls = { SOURCE_URL: source.url('app', 'cutover', 'pw'), TARGET_URL: target.url('app', 'cutover', 'pw') };
  }, 60_000);
  afterAll(async () => {
    await slack?.stop();
    await source?.stop('immediate');
    await target?.stop('immediate');
    folder.remove();
  });

  test('a restart mid-run resumes where it stopped, without comparing finished tables again', async () => {
    // The last table is locked on the source: the run finishes the others and waits there.
    const holder = new Client({ connectionString: source.url('app') });
    await holder.connect();
    await holder.query('BEGIN; LOCK TABLE z_last IN ACCESS EXCLUSIVE MODE');
    const first = await BotHarness.start({ plan, slack, databaseUrls: urls });
    const redis = first.bots[0].cutover.redis;
    try {
      expect(await first.command('U0ANYONE', 'verify hop-one --full')).toContain('started');
      await eventually(async () => ((await redis.hlen(keys.tables)) === 3 ? true : undefined), 30_000, 'three tables finished');
      expect(await first.command('U0SECOND', 'verify hop-one --full')).toContain('already running');
      await first.stop();
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    // Stopped at a safe point: still running in Redis, three tables kept, the message says paused.
    const r = new Redis(TEST_REDIS_URL);
    try {
      expect(JSON.parse((await r.get(keys.run)) ?? '{}')).toMatchObject({ status: 'running', resumes: 0 });
      expect(await r.hlen(keys.tables)).toBe(3);
    } finally {
      r.disconnect();
    }
    await new Promise((r) => setTimeout(r, 1200));
    const before = await reads();
    expect(slack.callsOf('chat.update').map((c) => messageText(c.args)).some((t) => t.includes('Full verify of hop-one paused'))).toBe(true);

    const second = await BotHarness.start({ plan, slack, databaseUrls: urls });
    try {
      const final = await eventually(() => slack.callsOf('chat.update').map((c) => messageText(c.args)).find((t) => t.includes('Full verify of hop-one finished')), 30_000, 'the resumed verify to finish');
      expect(final).toContain('every row of 4 tables matches');
      expect(final).toContain('resumed 1×');
      await new Promise((r) => setTimeout(r, 1200));
      const after = await reads();
      for (const t of ['a_1', 'a_2', 'a_3']) expect({ t, reads: after[t] }).toEqual({ t, reads: before[t] });
      expect(after.z_last).toBeGreaterThan(before.z_last);
      expect(JSON.parse((await second.bots[0].cutover.redis.get(keys.last)) ?? '{}')).toMatchObject({ status: 'done', tables: 4, rows: 20_000, differences: 0 });
    } finally {
      await second.stop();
    }
  }, 120_000);

  test('a cancel that lands while the run posts its first progress message is kept, with who asked', async () => {
    // Slack takes 1.5 s to answer the first progress post: the run waits there while the cancel lands.
    let held = 0;
    slack.delays.set('chat.postMessage', (args) => (String(args.text ?? '').includes('Full verify') && held++ === 0 ? 1500 : 0));
    const h = await BotHarness.start({ plan, slack, databaseUrls: urls });
    try {
      expect(await h.command('U0OPS2', 'verify hop-one --full')).toContain('started');
      expect(await h.command('U0OPS1', 'verify hop-one --cancel')).toContain('Cancelling the full verify');
      const final = await eventually(() => slack.callsOf('chat.update').map((c) => messageText(c.args)).find((t) => t.includes('Full verify of hop-one cancelled') && t.includes('U0OPS')), 15_000, 'the cancel');
      expect(final).toContain('cancelled by <@U0OPS1>');
    } finally {
      slack.delays.delete('chat.postMessage');
      await h.stop();
    }
  }, 60_000);

  test('--cancel stops a running full verify, and the gate reads it as not done', async () => {
    // An earlier test's run posted its own updates on the same Slack: only this test's count.
    const updatesBefore = slack.callsOf('chat.update').length;
    const holder = new Client({ connectionString: source.url('app') });
    await holder.connect();
    await holder.query('BEGIN; LOCK TABLE a_1 IN ACCESS EXCLUSIVE MODE');
    const h = await BotHarness.start({ plan, slack, databaseUrls: urls });
    try {
      expect(await h.command('U0THIRD', 'verify hop-one --full')).toContain('started');
      expect(await h.command('U0ANYONE', 'verify hop-one --cancel')).toContain('Cancelling the full verify');
      const final = await eventually(() => slack.callsOf('chat.update').slice(updatesBefore).map((c) => messageText(c.args)).find((t) => t.includes('Full verify of hop-one cancelled')), 15_000, 'the cancel');
      expect(final).toContain('cancelled by <@U0ANYONE>');
      expect(await h.command('U0ANYONE', 'verify hop-one --cancel')).toContain('No full verify of *hop-one* is running');
      expect(await h.command('U0ANYONE', 'health hop-one')).toContain('the latest full verify was cancelled: run it again');
    } finally {
      await holder.query('COMMIT');
      await holder.end();
      await h.stop();
    }
  }, 60_000);
});
