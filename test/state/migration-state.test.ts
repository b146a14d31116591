import { placeHold, liftHold } from '../../src/migration/hold';
import { keysFor } from '../../src/state/keys';
import { MigrationState } from '../../src/state/migration-state';
import { connectStateStore, untilReady } from '../../src/state/state-store';
import { TEST_REDIS_URL } from '../support/redis';
import { testPlan } from '../support/test-plan';

describe('migration state in Redis', () => {
  const a = connectStateStore(TEST_REDIS_URL);
  const b = connectStateStore(TEST_REDIS_URL);
  beforeAll(async () => {
    await Promise.all([untilReady(a), untilReady(b)]);
  });
  afterAll(async () => {
    await Promise.all([a.quit(), b.quit()]);
  });

  test('a fresh migration starts on the first hop with nothing done', async () => {
    const plan = testPlan();
    const m = await new MigrationState(a, keysFor(plan.name), plan).read();
    expect(m.currentHop).toBe('heroku-to-ec2');
    expect(m.hold).toBeUndefined();
    expect(m.revision).toBe(0);
  });

  test('100 concurrent updates from two connections lose none', async () => {
    const plan = testPlan();
    const keys = keysFor(plan.name);
    const states = [new MigrationState(a, keys, plan), new MigrationState(b, keys, plan)];
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        states[i % 2].update((m) => ({ next: { ...m, epoch: m.epoch + 1 }, result: undefined })),
      ),
    );
    const m = await states[0].read();
    expect(m.epoch).toBe(100);
    expect(m.revision).toBe(100);
  });

  test('two concurrent holds: exactly one is placed, and the state survives a new connection (a restart)', async () => {
    const plan = testPlan();
    const keys = keysFor(plan.name);
    const results = await Promise.all([
      new MigrationState(a, keys, plan).update((m) => placeHold(m, 'Rollbar outage', 'U0OPS1', 1)),
      new MigrationState(b, keys, plan).update((m) => placeHold(m, 'Heroku incident', 'U0OPS2', 2)),
    ]);
    expect(results.filter((r) => r.placed)).toHaveLength(1);
    const fresh = connectStateStore(TEST_REDIS_URL);
    await untilReady(fresh);
    const after = await new MigrationState(fresh, keys, plan).read();
    expect(['Rollbar outage', 'Heroku incident']).toContain(after.hold?.reason);
    expect(await new MigrationState(fresh, keys, plan).update((m) => liftHold(m))).toBeDefined();
    await fresh.quit();
  });
});
