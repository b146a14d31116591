import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { eventually, sleep } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

/** A logical hop whose lag threshold is generous (10 min) and whose heartbeat may stall 3 s. */
const plan = () =>
  parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL }, target: { url_env: TARGET_URL } }
hops: [{ id: hop-one, method: logical, source: source, target: target, subscription: sub, thresholds: { max_lag_seconds: 600 } }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
schedule: { heartbeat: '* * * * * *', sample: '* * * * * *', update: '0 0 0 1 1 *', health: '0 0 0 1 1 *', dms: '0 0 0 1 1 *', leader_ttl_seconds: 2 }
alerts: { reminder_minutes: 0, heartbeat_stall_seconds: 3 }
health: { cache_seconds: 0 }
database_timeouts: { connect_timeout_ms: 1500, statement_timeout_ms: 2000 }
`);

const lagLine = (text: string) => text.split('\n').find((l) => l.includes('*End-to-end lag (heartbeat):*')) ?? '(no lag line)';
const verdictLine = (text: string) => text.split('\n').find((l) => l.includes('*GO*') || l.includes('*NO-GO*')) ?? '(no verdict)';

describe('finding 4: the lag gate fails when the heartbeat cannot be trusted (a publisher and its subscriber)', () => {
  const folder = new ClusterFolder();
  let publisher: PgCluster;
  let subscriber: PgCluster;
  const urls = () => ({ SOURCE_URL: publisher.url('app'), TARGET_URL: subscriber.url('app') });

  beforeAll(async () => {
    publisher = await PgCluster.primary(folder, 'publisher');
    subscriber = await PgCluster.fresh(folder, 'subscriber');
    for (const c of [publisher, subscriber]) {
      await c.sql('CREATE DATABASE app');
      await c.sql('CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)', [], 'app');
    }
    await publisher.sql('CREATE PUBLICATION pub FOR TABLE cutover_heartbeat', [], 'app');
    await subscriber.sql(`CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=${publisher.port} dbname=app user=postgres' PUBLICATION pub`, [], 'app');
  });
  afterAll(async () => {
    await subscriber.sql('DROP SUBSCRIPTION IF EXISTS sub', [], 'app').catch(() => undefined);
    await subscriber.stop('immediate');
    await publisher.stop('immediate');
    folder.remove();
  });

  test('the heartbeat writer stopped: both ends hold the same old heartbeat, and health and status say FAIL with the reason, not 0.0 s', async () => {
    const h = await BotHarness.start({ plan: plan(), databaseUrls: urls() }); // no jobs: nothing writes the heartbeat after setup
    try {
      expect(await h.command('U0OPS1', 'setup hop-one')).toContain('Set up');
      const hop = h.plan.hops[0];
      const { monitor } = h.bots[0].cutover;
      const [written] = await publisher.sql<{ seq: string }>('SELECT seq FROM cutover_heartbeat', [], 'app');
      await eventually(async () => (await monitor.sampleOf(hop)).targetHeartbeat?.seq === Number(written.seq), 20_000, 'the heartbeat on the subscriber');
      await sleep(3500);

      const health = await h.command('U0ANYONE', 'health');
      expect(lagLine(health)).toMatch(/^:red_circle: \*End-to-end lag \(heartbeat\):\* \(≤ 10\.0 min\) — the heartbeat on source has not advanced for \d\.\d s \(limit 3\.0 s\): lag cannot be measured; is the bot's heartbeat job running\?/);
      expect(verdictLine(health)).toMatch(/NO-GO.*End-to-end lag \(heartbeat\)/);

      await monitor.sampleAndAlert();
      expect(lagLine(await h.command('U0ANYONE', 'status'))).toMatch(/^:red_circle: \*End-to-end lag \(heartbeat\):\* \(≤ 10\.0 min\) — the heartbeat on source has not advanced/);
    } finally {
      await h.stop();
    }
  });

  test('the target stuck on one heartbeat while the source advances fails the gate within a lag far under its threshold; moving again, it passes', async () => {
    const h = await BotHarness.start({ plan: plan(), databaseUrls: urls(), jobs: true });
    try {
      const { samples } = h.bots[0].cutover;
      await eventually(async () => (await samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'heartbeats through the subscription');
      await subscriber.sql('ALTER SUBSCRIPTION sub DISABLE', [], 'app');
      try {
        const health = await eventually(async () => {
          const text = await h.command('U0ANYONE', 'health');
          return lagLine(text).startsWith(':red_circle:') ? text : undefined;
        }, 20_000, 'the lag gate to fail');
        expect(lagLine(health)).toMatch(/— the heartbeat on target has not advanced for \d+\.?\d* s while the one on source did \(limit 3\.0 s\): replication to target looks stopped/);
        expect(verdictLine(health)).toMatch(/NO-GO.*End-to-end lag \(heartbeat\)/);
        // The lag it reads is far under the 10 min threshold: the old gate called this ok.
        const latest = await samples.latest('hop-one');
        expect(latest!.heartbeatLagSeconds!).toBeLessThan(60);
        // Status reads the newest stored sample, which may be a second behind the live one health took.
        const status = await eventually(async () => {
          const line = lagLine(await h.command('U0ANYONE', 'status'));
          return line.startsWith(':red_circle:') ? line : undefined;
        }, 10_000, 'status to show the stuck target');
        expect(status).toMatch(/replication to target looks stopped/);
      } finally {
        await subscriber.sql('ALTER SUBSCRIPTION sub ENABLE', [], 'app');
      }
      await eventually(async () => lagLine(await h.command('U0ANYONE', 'health')).startsWith(':large_green_circle:'), 20_000, 'the lag gate to pass again');
    } finally {
      await h.stop();
    }
  });
});
