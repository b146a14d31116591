import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { PrivateRedis } from '../support/redis';

describe('when Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let h: BotHarness;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    h = await BotHarness.start({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await h.stop();
    await redis.down();
  });

  test('commands say "state store unavailable" within 3 s, mutations refuse, /healthz is 503; all recovers without a restart', async () => {
    expect(await h.command('U0OPS1', 'status')).toContain('*Lock:* free');
    expect((await fetch(`${h.url()}/healthz`)).status).toBe(200);

    await redis.down();

    for (const text of ['status', 'lock during the outage', 'hold during the outage', 'history', 'plan']) {
      const started = Date.now();
      const reply = await h.command('U0OPS1', text);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(reply).toContain('State store unavailable');
      expect(reply).toContain('Nothing was done');
    }
    const health = await fetch(`${h.url()}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, redis: 'unavailable' });

    await redis.up();

    await eventually(async () => (await fetch(`${h.url()}/healthz`)).status === 200, 15_000, '/healthz to recover');
    expect(await h.command('U0OPS1', 'status')).toContain('*Lock:* free');
    expect(await h.command('U0OPS1', 'lock after the outage')).toContain('You hold the migration lock');
    expect(await h.command('U0OPS1', 'history 5')).toMatch(/ran `\/migrate lock[^`]*` — ok/);
  });
});
