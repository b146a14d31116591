import { BotHarness } from '../support/bot-harness';
import { PrivateRedis } from '../support/redis';
import { parseExposition, scrape, valueOf } from './exposition';

describe('/metrics when Redis does not answer, and without a token configured', () => {
  let redis: PrivateRedis;
  let h: BotHarness;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    h = await BotHarness.start({ redisUrl: redis.url });
    await h.command('U0OPS1', 'lock maintenance window');
  });
  afterAll(async () => {
    if (redis.pid) process.kill(redis.pid, 'SIGCONT');
    await h.stop();
    redis.remove();
  });

  test('no METRICS_TOKEN: the metrics are open to any scraper', async () => {
    const res = await scrape(h.url());
    expect(res.status).toBe(200);
    const m = parseExposition(res.text);
    expect(valueOf(m, 'cutover_lock_held')).toBe(1);
    expect(valueOf(m, 'cutover_state_store_up')).toBe(1);
  });

  test('a frozen Redis: the scrape still answers within two seconds, the store-derived values unknown (NaN), store_up 0', async () => {
    process.kill(redis.pid!, 'SIGSTOP');
    try {
      const res = await scrape(h.url());
      expect(res.status).toBe(200);
      expect(res.ms).toBeLessThan(2500);
      const m = parseExposition(res.text);
      expect(valueOf(m, 'cutover_state_store_up')).toBe(0);
      expect(valueOf(m, 'cutover_lock_held')).toBeNaN();
      expect(valueOf(m, 'cutover_hold_on')).toBeNaN();
      expect(valueOf(m, 'cutover_approvals_pending')).toBeNaN();
      // Nothing read from Redis is shown as a number it did not give.
      expect(valueOf(m, 'cutover_lock_held_seconds')).toBeNaN();
    } finally {
      process.kill(redis.pid!, 'SIGCONT');
    }
    const m = parseExposition((await scrape(h.url())).text);
    expect(valueOf(m, 'cutover_state_store_up')).toBe(1);
    expect(valueOf(m, 'cutover_lock_held')).toBe(1);
    expect(valueOf(m, 'cutover_lock_held_seconds')).toBeGreaterThanOrEqual(0);
  });
});
