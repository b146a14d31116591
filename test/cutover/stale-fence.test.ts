import { BotHarness } from '../support/bot-harness';
import { cutoverPlan, cutoverWorld, HEROKU_TOKEN } from '../support/cutover-world';

describe('an executor whose fencing token is stale', () => {
  test('cannot act: the run stops before its first step and nothing is called', async () => {
    const world = await cutoverWorld('postgres://source/app');
    const h = await BotHarness.start({
      plan: cutoverPlan({ method: 'physical', heroku: world.heroku, rollbar: world.rollbar }),
      databaseUrls: { SOURCE_URL: 'postgres://127.0.0.1:1/app', TARGET_URL: 'postgres://127.0.0.1:1/app' },
      settings: { herokuApiToken: HEROKU_TOKEN },
    });
    try {
      const { runner, lock } = h.bots[0].cutover;
      await h.command('U0OPS1', 'lock first');
      const first = (await lock.read())!;
      const runs = runner['deps'].runs;
      await runs.create({ id: 'r1', hop: 'hop-one', requester: 'U0OPS1', fence: first.fence, owner: 'gone', status: 'running', steps: Object.fromEntries(['announce', 'stop-writes', 'fence', 'detach', 'sequences', 'repoint', 'app-back', 'verify', 'done'].map((s) => [s, { status: 'pending', attempts: 0 }])), startedAt: Date.now() });
      // Someone force-released the lock and took it again: a new, higher fencing token.
      await h.command('U0OPS2', 'unlock --force');
      await h.command('U0OPS2', 'lock taking over');
      expect((await lock.read())!.fence).toBeGreaterThan(first.fence);
      const outcome = await runner.execute('hop-one');
      expect(outcome).toMatch(new RegExp(`stopped at announce: fencing token ${first.fence} is stale`));
      expect(world.heroku.calls).toHaveLength(0);
      expect(world.rollbar.deploys).toHaveLength(0);
      expect((await runs.get('hop-one'))!.status).toBe('failed');
    } finally {
      await h.stop();
      await world.stop();
    }
  });
});
