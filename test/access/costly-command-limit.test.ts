import { randomUUID } from 'node:crypto';
import { CostlyCommandLimit } from '../../src/access/costly-command-limit';
import { keysFor } from '../../src/state/keys';
import { testRedis } from '../support/redis';

describe('the costly-command limit itself', () => {
  const redis = testRedis();
  const keys = keysFor(`t-limit-${randomUUID().slice(0, 8)}`);
  afterAll(() => redis.quit());

  test('one at a time: a second claim while the first runs is refused, from another connection too', async () => {
    const other = testRedis();
    try {
      const a = new CostlyCommandLimit(redis, keys.costlyCommand);
      const b = new CostlyCommandLimit(other, keys.costlyCommand);
      const first = await a.claim('U0ONE', 'sequences check');
      expect(first.allowed).toBe(true);
      const second = await b.claim('U0ONE', 'sequences check');
      expect(second).toEqual({ allowed: false, why: expect.stringMatching(/your `sequences check` from \d+ s ago is still running: one at a time/) });
      if (first.allowed) await first.finish(true);
      expect(await b.claim('U0ONE', 'sequences check')).toEqual({ allowed: false, why: expect.stringMatching(/you ran `sequences check` \d+ s ago; again in (59|60) s/) });
    } finally {
      other.disconnect();
    }
  });

  test('the cool-down ends on time; a run that cost nothing gives it back at once', async () => {
    const limit = new CostlyCommandLimit(redis, keys.costlyCommand, { everyMs: 2000, runBoundMs: 5000 });
    const run = await limit.claim('U0TWO', 'verify');
    if (run.allowed) await run.finish(true);
    expect((await limit.claim('U0TWO', 'verify')).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 2100));
    const later = await limit.claim('U0TWO', 'verify');
    expect(later.allowed).toBe(true);
    if (later.allowed) await later.finish(false);
    expect((await limit.claim('U0TWO', 'verify')).allowed).toBe(true);
  });

  test('a run whose process died blocks the next one only until its bound', async () => {
    // A bound a loaded machine cannot outrun between two claims, short enough to wait out.
    const limit = new CostlyCommandLimit(redis, keys.costlyCommand, { everyMs: 60_000, runBoundMs: 2000 });
    expect((await limit.claim('U0THREE', 'verify')).allowed).toBe(true);
    expect((await limit.claim('U0THREE', 'verify')).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await limit.claim('U0THREE', 'verify')).allowed).toBe(true);
  });
});
