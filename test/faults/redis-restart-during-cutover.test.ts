import { newestButtonValue } from '../support/buttons';
import { CUTOVER_RESUME } from '../../src/views/cutover-view';
import type { BotHarness } from '../support/bot-harness';
import { appUrl, approveBy, physicalRig, type PhysicalRig } from '../support/cutover-world';
import { eventually, sleep } from '../support/free-port';
import type { PgCluster } from '../support/pg-cluster';
import { PrivateRedis } from '../support/redis';
import { messageText } from '../support/slack-stand-in';

describe('Redis restarted in the middle of a cutover', () => {
  let redis: PrivateRedis;
  let rig: PhysicalRig;
  let standby: PgCluster;
  let world: PhysicalRig['world'];
  let h: BotHarness;

  beforeAll(async () => {
    redis = await PrivateRedis.start({ persist: true });
    rig = await physicalRig({ redisUrl: redis.url });
    ({ standby, world, h } = rig);
  });
  afterAll(async () => {
    await rig.stop();
    await redis.down();
  });

  test('the run stops safely while Redis is away, is shown interrupted when it is back, and resumes', async () => {
    await h.command('U0OPS1', 'lock cutover');
    await h.command('U0OPS1', 'cutover');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    world.heroku.delay = { match: /^GET \/apps\/acme-api\/config-vars$/, ms: 2000 };
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    await eventually(() => world.heroku.calls.some((c) => c.path === '/apps/acme-api/config-vars'), 20_000, 'step 6');
    // Redis goes away while step 6 waits on Heroku: the step's result cannot be recorded.
    await redis.down();
    await sleep(3000);
    world.heroku.delay = undefined;
    await redis.up();

    const interrupted = await eventually(() => h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('INTERRUPTED')), 30_000, 'the interrupted timeline');
    expect(JSON.stringify(interrupted.args.blocks)).toContain(CUTOVER_RESUME);
    const runs = h.bots[0].cutover.runner['deps'].runs;
    expect((await runs.get('hop-one'))!.steps.repoint.status).toBe('interrupted');

    expect(await h.slack.replyTo((await h.click('U0OPS1', CUTOVER_RESUME, newestButtonValue(h.slack, CUTOVER_RESUME))).key)).toContain('Resuming');
    const done = await eventually(async () => {
      const r = await runs.get('hop-one');
      return r?.status === 'done' || r?.status === 'failed' ? r : undefined;
    }, 30_000, 'the resumed run');
    expect(done.failure).toBeUndefined();
    expect(Object.fromEntries(Object.entries(done.steps).map(([k, v]) => [k, v.attempts]))).toEqual({ announce: 1, 'stop-writes': 1, writers: 1, fence: 1, detach: 1, sequences: 1, 'app-role': 1, repoint: 2, 'app-back': 1, verify: 1, done: 1 });
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(standby));
    expect(world.heroku.maintenance).toBe(false);
  });
});
