import { APPROVE_ACTION } from '../../src/views/approval-view';
import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { replicationPlan } from '../support/replication-plan';

describe('the story: a logical subscriber whose sequences were left at their start', () => {
  const folder = new ClusterFolder();
  let publisher: PgCluster;
  let subscriber: PgCluster;
  let h: BotHarness;

  beforeAll(async () => {
    publisher = await PgCluster.primary(folder, 'publisher');
    subscriber = await PgCluster.fresh(folder, 'subscriber');
    const ddl = 'CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric NOT NULL); CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)';
    for (const c of [publisher, subscriber]) {
      await c.sql('CREATE DATABASE app');
      await c.sql(ddl, [], 'app');
    }
    await publisher.sql("INSERT INTO orders (total) SELECT g FROM generate_series(1, 1200) g; INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 300) g", [], 'app');
    await publisher.sql('CREATE PUBLICATION pub FOR TABLE orders, users', [], 'app');
    await subscriber.sql(`CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=${publisher.port} dbname=app user=postgres' PUBLICATION pub`, [], 'app');
    await eventually(async () => Number((await subscriber.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0].n) === 1200, 30_000, 'the initial sync');
    await publisher.sql("INSERT INTO orders (total) VALUES (99.5)", [], 'app');
    await eventually(async () => Number((await subscriber.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0].n) === 1201, 30_000, 'a replicated insert');
    h = await BotHarness.start({
      plan: replicationPlan({ method: 'logical', subscription: 'sub' }),
      databaseUrls: { SOURCE_URL: publisher.url('app'), TARGET_URL: subscriber.url('app') },
    });
  });
  afterAll(async () => {
    await h.stop();
    await subscriber.sql('DROP SUBSCRIPTION IF EXISTS sub', [], 'app').catch(() => undefined);
    await subscriber.stop('immediate');
    await publisher.stop('immediate');
    folder.remove();
  });

  test('check flags them; an insert with the default id fails; the approved fix runs; the insert succeeds', async () => {
    const check = await h.command('U0ANYONE', 'sequences check');
    expect(check).toMatch(/2 sequences behind, 0 columns lost their default/);
    expect(check).toMatch(/`public\.orders_id_seq` → public\.orders\.id: BEHIND its column: the next insert collides; behind the source's sequence \(next 1, max 1201, source next 1202\)/);

    // What the app saw right after the cutover in the story.
    await subscriber.sql('ALTER SUBSCRIPTION sub DISABLE', [], 'app');
    await expect(subscriber.sql('INSERT INTO orders (total) VALUES (1)', [], 'app')).rejects.toThrow(/duplicate key value violates unique constraint "orders_pkey"/);

    expect(await h.command('U0OPS1', 'sequences fix')).toContain('needs the migration lock');
    await h.command('U0OPS1', 'lock cutover of hop-one');
    expect(await h.command('U0OPS1', 'sequences fix')).toContain('the exact SQL is in the approval request');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    const post = messageText(h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('Approval needed: Fix'))!.args);
    // The source's value is bound when the fix runs; the request shows the formula and the value seen now.
    expect(post).toContain('-- $1 = next value of public.orders_id_seq on the source (1202 when requested)');
    expect(post).toContain(`SELECT setval('"public"."orders_id_seq"', GREATEST((SELECT max("id") FROM "public"."orders") + 1, $1::bigint,`);
    expect(await h.slack.replyTo((await h.click('U0OPS1', APPROVE_ACTION, req.id)).key)).toContain('cannot approve your own request');
    await h.slack.replyTo((await h.click('U0APP1', APPROVE_ACTION, req.id)).key);
    await h.slack.replyTo((await h.click('U0APP2', APPROVE_ACTION, req.id)).key);
    await eventually(async () => (await h.bots[0].cutover.approvalStore.get(req.id))?.run?.status === 'succeeded', 10_000, 'the fix to run');
    expect((await h.bots[0].cutover.approvalStore.get(req.id))!.run!.result).toContain('no sequence behind');

    const inserted = await subscriber.sql<{ id: string }>('INSERT INTO orders (total) VALUES (1) RETURNING id', [], 'app');
    expect(inserted[0].id).toBe('1202');
    await subscriber.sql("INSERT INTO users (email) VALUES ('new@example.com')", [], 'app');
    // A teammate checks again: one person runs a check at most once a minute.
    expect(await h.command('U0APP3', 'sequences check')).toContain('Every sequence is ahead of its columns');
    await h.command('U0OPS1', 'unlock');
  });
});
