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
      const redis = h.bots[0].cutover.redis;
      const steps = Object.fromEntries(['announce', 'stop-writes', 'fence', 'detach', 'sequences', 'repoint', 'app-back', 'verify', 'done'].map((s) => [s, { status: 'pending', attempts: 0 }]));
      await redis.set(runs.key('hop-one'), JSON.stringify({ id: 'r1', hop: 'hop-one', requester: 'U0OPS1', fence: first.fence, attempt: 1, owner: 'gone', status: 'running', steps, startedAt: Date.now() }));
      // Someone force-released the lock and took it again: a new, higher fencing token.
      await h.command('U0OPS2', 'unlock --force');
      await h.command('U0OPS2', 'lock taking over');
      expect((await lock.read())!.fence).toBeGreaterThan(first.fence);
      const outcome = await runner.execute('hop-one', first.fence);
      expect(outcome).toMatch(new RegExp(`fencing token ${first.fence}\\) was fenced out and stopped: the migration lock carries fencing token \\d+, not ${first.fence}`));
      expect(world.heroku.calls).toHaveLength(0);
      expect(world.rollbar.deploys).toHaveLength(0);
      // A fenced-out executor leaves the run alone: it is not its run to fail.
      const run = (await runs.get('hop-one'))!;
      expect(run.status).toBe('running');
      expect(run.steps.announce.status).toBe('pending');
    } finally {
      await h.stop();
      await world.stop();
    }
  });
});
