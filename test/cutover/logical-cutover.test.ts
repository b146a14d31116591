import { BotHarness } from '../support/bot-harness';
import { HEROKU_TOKEN, appUrl, approveBy, createAppRole, cutoverPlan, cutoverWorld, finishedRun, hopUrls } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';

describe('cutover of a logical hop: publisher → subscriber, sequences fixed before the app writes', () => {
  const folder = new ClusterFolder();
  let publisher: PgCluster;
  let subscriber: PgCluster;
  let world: Awaited<ReturnType<typeof cutoverWorld>>;
  let h: BotHarness;

  beforeAll(async () => {
    publisher = await PgCluster.primary(folder, 'publisher');
    subscriber = await PgCluster.fresh(folder, 'subscriber');
    for (const c of [publisher, subscriber]) {
      await c.sql('CREATE DATABASE app');
      await c.sql('CREATE TABLE orders (id bigserial PRIMARY KEY, note text); CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)', [], 'app');
    }
    await publisher.sql("INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, 800)", [], 'app');
    for (const c of [publisher, subscriber]) await createAppRole(c);
    await publisher.sql('CREATE PUBLICATION pub FOR TABLE orders, cutover_heartbeat', [], 'app');
    await subscriber.sql(`CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=${publisher.port} dbname=app user=postgres' PUBLICATION pub`, [], 'app');
    await eventually(async () => Number((await subscriber.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0].n) === 800, 30_000, 'the initial sync');
    world = await cutoverWorld(appUrl(publisher));
    h = await BotHarness.start({
      plan: cutoverPlan({ method: 'logical', subscription: 'sub', heroku: world.heroku, rollbar: world.rollbar }),
      databaseUrls: hopUrls(publisher, subscriber),
      settings: { herokuApiToken: HEROKU_TOKEN, rollbarReadToken: 'rollbar-read-token' },
      jobs: true,
    });
    await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'heartbeats through the subscription');
  });
  afterAll(async () => {
    await h.stop();
    await world.stop();
    await subscriber.sql('DROP SUBSCRIPTION IF EXISTS sub', [], 'app').catch(() => undefined);
    await subscriber.stop('immediate');
    await publisher.stop('immediate');
    folder.remove();
  });

  test('the sequences step fixes what logical replication did not carry; the app writes to the target with no duplicate key', async () => {
    expect(await h.command('U0ANYONE', 'health')).toMatch(/:large_yellow_circle: \*Sequences on the target:\* 1 behind/);
    await h.command('U0OPS1', 'lock cutover');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    const run = await finishedRun(h);
    expect(run.failure).toBeUndefined();
    expect(run.steps.detach.result).toBe('subscription sub disabled');
    expect(run.steps.sequences.result).toMatch(/statements fixed the sequences; audit afterwards clean/);
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(subscriber));
    const inserted = await subscriber.sql<{ id: string }>("INSERT INTO orders (note) VALUES ('first write on the target') RETURNING id", [], 'app');
    expect(Number(inserted[0].id)).toBe(801);
    const sub = await subscriber.sql<{ subenabled: boolean }>("SELECT subenabled FROM pg_subscription WHERE subname = 'sub'", [], 'app');
    expect(sub[0].subenabled).toBe(false);
  });

  test('archiving off and no standby on the new primary are warnings with their reasons, not ✅, listed until acknowledged', async () => {
    // Runs after the cutover above: the subscriber is a fresh cluster with archive_mode off and no standby.
    const run = await finishedRun(h);
    expect(run.warnings?.map((w) => w.text)).toEqual([expect.stringMatching(/WAL archiving is off on the new primary/), expect.stringMatching(/no standby streams from the new primary/)]);
    const posted = () => h.slack.callsOf('chat.postMessage').concat(h.slack.callsOf('chat.update')).map((c) => messageText(c.args));
    const timeline = posted().filter((t) => t.startsWith('Cutover hop-one: done')).at(-1) ?? '';
    expect(timeline).toMatch(/:warning: \d+\. Test write, replication and archiving/);
    expect(timeline).not.toMatch(/:white_check_mark: \d+\. Test write/);
    await eventually(async () => posted().some((t) => /hop-one is cut over, with 2 warnings/.test(t) && /WAL archiving is off/.test(t)), 10_000, 'the completion message with its warnings');
    expect(await h.command('U0ANYONE', 'status')).toMatch(/Cutover of hop-one:\* \*2 warnings:\*[\s\S]*no standby streams/);
    expect(await h.command('U0OPS1', 'acknowledge hop-one')).toContain('Acknowledged 2 warnings');
    expect(await h.command('U0ANYONE', 'status')).not.toMatch(/no standby streams/);
    expect(await h.command('U0OPS1', 'acknowledge hop-one')).toContain('no warnings waiting');
  });
});
