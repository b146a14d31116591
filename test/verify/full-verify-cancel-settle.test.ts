import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { createLogger } from '../../src/log';
import { parsePlan } from '../../src/plan/load-plan';
import { FullVerify } from '../../src/verify/full/full-verify';
import { FullVerifyStore, fullVerifyKeys } from '../../src/verify/full/full-verify-store';
import { openVerifyDatabase } from '../../src/verify/full/verify-database';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { testRedis } from '../support/redis';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

// A live hop whose target does not show the verify's heartbeat (replication stalled): the run waits
// up to lag_window_seconds for it. A cancel, or the bot stopping, must not wait that out.
describe('a full verify waiting for the heartbeat on the target', () => {
  const folder = new ClusterFolder();
  let cluster: PgCluster;
  let redis: Redis;
  const name = `t-${randomBytes(5).toString('hex')}`;
  const plan = parsePlan(`
name: ${name}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: physical, source: source, target: target }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
verify: { concurrency: 1, lag_window_seconds: 120 }
`);
  const hop = plan.hops[0];

  beforeAll(async () => {
    cluster = await PgCluster.fresh(folder, 'settle');
    for (const db of ['src', 'tgt']) {
      await cluster.sql(`CREATE DATABASE ${db}`);
      await cluster.sql('CREATE TABLE accounts (id int PRIMARY KEY, v text); INSERT INTO accounts SELECT g, g::text FROM generate_series(1, 3000) g; ANALYZE accounts', [], db);
    }
    await cluster.sql('DELETE FROM accounts WHERE id = 42', [], 'tgt');
    redis = testRedis();
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop('immediate');
    folder.remove();
  });

  function fullVerify(settling: () => void, o: { fenced?: boolean; store?: FullVerifyStore; plan?: typeof plan; onTarget?: () => { seq: number; at: number } } = {}): { verify: FullVerify; store: FullVerifyStore } {
    const store = o.store ?? new FullVerifyStore(redis, fullVerifyKeys(`${name}:${randomBytes(3).toString('hex')}`));
    let ts = 0;
    const verify = new FullVerify({
      plan: o.plan ?? plan,
      store: () => store,
      channel: { post: async () => ({ channel: CHANNEL, ts: String(++ts) }), update: async () => undefined, upload: async () => undefined },
      open: (id) => openVerifyDatabase(cluster.url(id === 'source' ? 'src' : 'tgt'), { connectTimeoutMs: 5000, statementTimeoutMs: 30_000, connections: 1 }),
      sourceFenced: async () => o.fenced ?? false,
      heartbeat: {
        write: async () => (settling(), { seq: 7, at: Date.now() }),
        // Replication stalled: the target still shows an older heartbeat.
        readOnTarget: async () => o.onTarget?.() ?? { seq: 6, at: Date.now() - 60_000 },
      },
      processId: `p-${randomBytes(3).toString('hex')}`,
      log: createLogger('silent'),
    });
    return { verify, store };
  }

  test('a cancel during the wait ends the run as cancelled within seconds', async () => {
    let settling = false;
    const { verify, store } = fullVerify(() => (settling = true));
    expect(await verify.start(hop, 'U0OPS1')).toMatchObject({ started: 'new' });
    await eventually(async () => settling || undefined, 20_000, 'the wait for the heartbeat');
    const asked = Date.now();
    expect(await verify.cancel(hop, 'U0OPS2')).toBe(true);
    const last = await eventually(async () => (await store.last()) ?? undefined, 10_000, 'the cancelled run');
    expect(last.status).toBe('cancelled');
    expect(Date.now() - asked).toBeLessThan(10_000);
  }, 40_000);

  test('the bot stopping during the wait leaves the run running for the next process, its table not done', async () => {
    let settling = false;
    const { verify, store } = fullVerify(() => (settling = true));
    expect(await verify.start(hop, 'U0OPS1')).toMatchObject({ started: 'new' });
    await eventually(async () => settling || undefined, 20_000, 'the wait for the heartbeat');
    const asked = Date.now();
    await verify.drain(4500);
    // drain gives up at its timeout whether the run stopped or not: the lease tells.
    await eventually(async () => ((await store.leaseHolder()) === null ? true : undefined), 2000, 'the lease released');
    expect(Date.now() - asked).toBeLessThan(6500);
    expect((await store.run())?.status).toBe('running');
    expect(await store.finished()).toEqual(new Map());
  }, 40_000);

  test('a run begun live and resumed after the fence still says live: its first look was taken while the source wrote', async () => {
    let settling = false;
    const first = fullVerify(() => (settling = true));
    expect(await first.verify.start(hop, 'U0OPS1')).toMatchObject({ started: 'new' });
    await eventually(async () => settling || undefined, 20_000, 'the wait for the heartbeat');
    await first.verify.drain(4500);
    expect((await first.store.run())?.mode).toBe('live');
    // The next process takes it up after the cutover's fence: the source no longer writes.
    const next = fullVerify(() => undefined, { fenced: true, store: first.store });
    await next.verify.resumeInterrupted();
    const last = await eventually(async () => (await first.store.last()) ?? undefined, 20_000, 'the resumed run to finish');
    expect(last).toMatchObject({ status: 'done', mode: 'live', differences: 1 });
  }, 60_000);

  test("a higher heartbeat number on the target from before the source's heartbeat table was set up again does not count as caught up", async () => {
    const shortWindow = parsePlan(`
name: ${name}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: physical, source: source, target: target }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
verify: { concurrency: 1, lag_window_seconds: 1 }
`);
    // The source counts from 7 again; the target still shows #99, written an hour ago.
    const { verify, store } = fullVerify(() => undefined, { plan: shortWindow, onTarget: () => ({ seq: 99, at: Date.now() - 3600_000 }) });
    expect(await verify.start(shortWindow.hops[0], 'U0OPS1')).toMatchObject({ started: 'new' });
    await eventually(async () => (await store.last()) ?? undefined, 20_000, 'the run to finish');
    const accounts = [...(await store.finished()).values()].find((v) => v.table === 'public.accounts')!;
    expect(accounts.differences).toEqual([{ key: ['42'], kind: 'missing' }]);
    expect(accounts.unsettled).toMatch(/the target did not show heartbeat #7 within 1 s \(newest: 99\)/);
  }, 40_000);
});
