import { BotHarness } from '../support/bot-harness';
import { HEROKU_TOKEN, appUrl, approveBy, createAppRole, cutoverPlan, cutoverWorld, finishedRun, hopUrls } from '../support/cutover-world';
import { DmsStandIn, standInTables } from '../support/dms-stand-in';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

/** A DMS hop whose data really moves (logical replication underneath, as a DMS task would move it). */
describe('cutover of a DMS hop', () => {
  const folder = new ClusterFolder();
  const dms = new DmsStandIn();
  const saved = { ...process.env };
  let source: PgCluster;
  let target: PgCluster;
  let world: Awaited<ReturnType<typeof cutoverWorld>>;
  let h: BotHarness;

  beforeAll(async () => {
    await dms.start();
    Object.assign(process.env, { AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE: dms.url, AWS_ACCESS_KEY_ID: 'AKIDTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key' });
    const task = dms.addTask('ec2toaurora');
    task.tables = standInTables(2);
    Object.assign(task.ReplicationTaskStats, { FullLoadProgressPercent: 100, TablesLoaded: 2, FullLoadFinishDate: Math.floor(Date.now() / 1000) });
    source = await PgCluster.primary(folder, 'ec2');
    target = await PgCluster.fresh(folder, 'aurora');
    for (const c of [source, target]) {
      await c.sql('CREATE DATABASE app');
      // DMS-created tables lose their defaults: the target's id is a plain bigint.
      await c.sql(`CREATE TABLE orders (id ${c === source ? 'bigserial' : 'bigint'} PRIMARY KEY, note text); CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)`, [], 'app');
    }
    await source.sql("INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, 300)", [], 'app');
    for (const c of [source, target]) await createAppRole(c);
    await source.sql('CREATE PUBLICATION pub FOR TABLE orders, cutover_heartbeat', [], 'app');
    await target.sql(`CREATE SUBSCRIPTION dms_underneath CONNECTION 'host=127.0.0.1 port=${source.port} dbname=app user=postgres' PUBLICATION pub`, [], 'app');
    await eventually(async () => Number((await target.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0].n) === 300, 30_000, 'the full load');
    world = await cutoverWorld(appUrl(source));
    h = await BotHarness.start({
      plan: cutoverPlan({ method: 'dms', dmsTask: 'ec2toaurora', heroku: world.heroku, rollbar: world.rollbar }),
      databaseUrls: hopUrls(source, target),
      settings: { herokuApiToken: HEROKU_TOKEN, rollbarReadToken: 'rollbar-read-token' },
      jobs: true,
    });
    await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'heartbeats through the task');
  });
  afterAll(async () => {
    await h.stop();
    await world.stop();
    await dms.stop();
    await target.sql('DROP SUBSCRIPTION IF EXISTS dms_underneath', [], 'app').catch(() => undefined);
    await target.stop('immediate');
    await source.stop('immediate');
    folder.remove();
    process.env = saved;
  });

  test('stops the task once the fence is seen, recreates the lost default, and the app writes to the target', async () => {
    await h.command('U0OPS1', 'lock cutover of hop 2');
    // A full reload asked for while the hop still streams, approved only after its cutover began (below).
    expect(await h.command('U0OPS1', 'dms start --reload-target')).toContain('approval request');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const pending = await h.bots[0].cutover.approvalStore.pending();
    const req = pending.find((r) => r.kind === 'cutover')!;
    const reload = pending.find((r) => r.kind === 'dms.reload-target')!;
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    const run = await finishedRun(h);
    expect(run.failure).toBeUndefined();
    expect(run.steps.detach.result).toBe('DMS task ec2toaurora stopped');
    // The preflight gate probes Start/Stop permissions only on a task name DMS cannot have; the real task is stopped once.
    const stops = dms.callsOf('StopReplicationTask').map((c) => String(c.body.ReplicationTaskArn));
    expect(stops.filter((arn) => !arn.endsWith(':task:cutover--preflight--no-such-task'))).toHaveLength(1);
    expect(run.steps.sequences.result).toMatch(/statements fixed the sequences/);
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(target));
    // The table lost its default in the copy; the cutover gave it back, ahead of the data.
    const id = await target.sql<{ id: string }>("INSERT INTO orders (note) VALUES ('first on aurora') RETURNING id", [], 'app');
    expect(Number(id[0].id)).toBe(301);

    // Issue 13, finding 2: the reload approved now would truncate what is production; it is refused and DMS is not called.
    const realStarts = () => dms.callsOf('StartReplicationTask').filter((c) => !String(c.body.ReplicationTaskArn).endsWith(':task:cutover--preflight--no-such-task')).length;
    const starts = realStarts();
    await approveBy(h, reload.id, ['U0APP3', 'U0APP4']);
    const outcome = await eventually(async () => {
      const r = (await h.bots[0].cutover.approvalStore.get(reload.id))?.run;
      return r?.status === 'failed' || r?.status === 'succeeded' ? r : undefined;
    }, 10_000, 'the approved reload to end');
    expect(outcome.status).toBe('failed');
    expect(outcome.result).toMatch(/stale|cutover of hop-one began/);
    expect(realStarts()).toBe(starts);
  });
});
