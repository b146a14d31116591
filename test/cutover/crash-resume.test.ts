import { newestButtonValue } from '../support/buttons';
import type { ChildProcess } from 'node:child_process';
import { spawnBotProcess, untilHealthy } from '../support/bot-process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import { CUTOVER_RESUME } from '../../src/views/cutover-view';
import { SIGNING_SECRET } from '../support/bot-harness';
import { appUrl, createAppRole, cutoverPlanText, cutoverWorld, HEROKU_TOKEN, hopUrls } from '../support/cutover-world';
import { eventually, freePort } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { TEST_REDIS_URL } from '../support/redis';
import { buttonClickBody, postSigned, slashCommandBody } from '../support/signed-request';
import { messageText, SlackStandIn } from '../support/slack-stand-in';
import { parsePlan } from '../../src/plan/load-plan';
import { keysFor } from '../../src/state/keys';
import { connectStateStore, untilReady } from '../../src/state/state-store';
import { CutoverRunStore } from '../../src/cutover/cutover-run';

describe('the bot killed in the middle of a cutover', () => {
  const folder = new ClusterFolder();
  let primary: PgCluster;
  let standby: PgCluster;
  let world: Awaited<ReturnType<typeof cutoverWorld>>;
  let slack: SlackStandIn;
  let planFile: string;
  let planName: string;
  const children: ChildProcess[] = [];

  const startBot = async () => {
    const port = await freePort();
    const { child, exited } = spawnBotProcess({
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      MIGRATION_PLAN: planFile,
      ...hopUrls(primary, standby),
      HEROKU_API_TOKEN: HEROKU_TOKEN,
      ROLLBAR_READ_TOKEN: 'rollbar-read-token',
    });
    children.push(child);
    await untilHealthy(port);
    const url = `http://127.0.0.1:${port}/slack/events`;
    return {
      child,
      exited,
      command: async (user: string, text: string) => {
        const key = randomUUID();
        await postSigned(url, slashCommandBody({ user, text, responseUrl: slack.responseUrl(key) }), { secret: SIGNING_SECRET });
        return slack.replyTo(key, 10_000);
      },
      click: async (user: string, actionId: string, value: string) => {
        const key = randomUUID();
        await postSigned(url, buttonClickBody({ user, actionId, value, responseUrl: slack.responseUrl(key) }), { secret: SIGNING_SECRET });
        return slack.replyTo(key, 10_000);
      },
    };
  };

  beforeAll(async () => {
    primary = await PgCluster.primary(folder);
    await primary.sql('CREATE DATABASE app');
    await primary.sql("CREATE TABLE orders (id bigserial PRIMARY KEY, note text); INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, 100)", [], 'app');
    await createAppRole(primary);
    standby = await PgCluster.streamingStandby(primary);
    world = await cutoverWorld(appUrl(primary));
    slack = await new SlackStandIn().start();
    const text = cutoverPlanText({ method: 'physical', heroku: world.heroku, rollbar: world.rollbar });
    planName = parsePlan(text).name;
    planFile = join(folder.root, 'plan.yml');
    writeFileSync(planFile, text);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await slack.stop();
    await world.stop();
    await standby.stop('immediate');
    await primary.stop('immediate');
    folder.remove();
  });

  test('killed between steps 4 and 6: after a restart the timeline says interrupted, Resume completes, no step ran twice', async () => {
    const first = await startBot();
    await first.command('U0OPS1', 'setup hop-one');
    const redis = connectStateStore(TEST_REDIS_URL);
    await untilReady(redis);
    const runs = new CutoverRunStore(redis, keysFor(planName).cutoverRun);
    try {
      await eventually(async () => (await first.command('U0ANYONE', 'lag')).includes('End-to-end lag (heartbeat):* 0.0 s'), 20_000, 'the standby caught up');
      await first.command('U0OPS1', 'lock cutover day');
      expect(await first.command('U0OPS1', 'cutover')).toContain('approval request');
      const request = slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('Approval needed: Cutover'))!;
      const requestId = JSON.stringify(request.args.blocks).match(/"value":"([0-9a-f-]{36})"/)![1];

      // Step 6 hangs at Heroku; the bot dies while it waits.
      world.heroku.hang = /^GET \/apps\/acme-api\/config-vars$/;
      await first.click('U0APP1', APPROVE_ACTION, requestId);
      await first.click('U0APP2', APPROVE_ACTION, requestId);
      await eventually(() => world.heroku.calls.some((c) => c.method === 'GET' && c.path === '/apps/acme-api/config-vars'), 30_000, 'step 6 to begin');
      first.child.kill('SIGKILL');
      await first.exited;
      world.heroku.hang = undefined;
      const atCrash = (await runs.get('hop-one'))!;
      expect(Object.fromEntries(Object.entries(atCrash.steps).map(([k, v]) => [k, v.status]))).toMatchObject({ announce: 'done', 'stop-writes': 'done', fence: 'done', detach: 'done', sequences: 'done', repoint: 'running', 'app-back': 'pending' });
      expect(world.heroku.maintenance).toBe(true);

      const second = await startBot();
      const interrupted = await eventually(() => slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('INTERRUPTED')), 30_000, 'the interrupted timeline');
      expect(JSON.stringify(interrupted.args.blocks)).toContain(CUTOVER_RESUME);
      // Nothing runs by itself.
      expect((await runs.get('hop-one'))!.status).toBe('interrupted');
      expect(world.heroku.maintenance).toBe(true);

      // The same operator keeps the lock (now renewed by the new process) and resumes.
      expect(await second.command('U0OPS1', 'lock cutover day')).toContain('already hold');
      expect(await second.click('U0OPS1', CUTOVER_RESUME, newestButtonValue(slack, CUTOVER_RESUME))).toContain('Resuming the cutover of hop-one');
      const done = await eventually(async () => {
        const r = await runs.get('hop-one');
        return r?.status === 'done' || r?.status === 'failed' ? r : undefined;
      }, 30_000, 'the resumed cutover to finish');
      expect(done.failure).toBeUndefined();
      expect(done.status).toBe('done');
      const attempts = Object.fromEntries(Object.entries(done.steps).map(([k, v]) => [k, v.attempts]));
      expect(attempts).toEqual({ announce: 1, 'stop-writes': 1, writers: 1, fence: 1, detach: 1, sequences: 1, 'app-role': 1, repoint: 2, 'app-back': 1, verify: 1, done: 1 });
      // Heroku saw maintenance on once and off once; the formation came back as it was.
      expect(world.heroku.calls.filter((c) => c.method === 'PATCH' && c.path === '/apps/acme-api').map((c) => c.body)).toEqual([{ maintenance: true }, { maintenance: false }]);
      expect([world.heroku.scaleOf('web'), world.heroku.scaleOf('worker')]).toEqual([3, 2]);
      expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(standby));
      const id = await standby.sql<{ id: string }>("INSERT INTO orders (note) VALUES ('after') RETURNING id", [], 'app');
      expect(Number(id[0].id)).toBeGreaterThan(100);
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      await redis.quit();
    }
  });
});
