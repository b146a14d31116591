import { newestButtonValue, runButtonDrawn } from '../support/buttons';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import { CUTOVER_RESUME } from '../../src/views/cutover-view';
import type { BotHarness } from '../support/bot-harness';
import { approveBy, finishedRun, physicalRig, type PhysicalRig } from '../support/cutover-world';
import { eventually, sleep } from '../support/free-port';
import { messageText } from '../support/slack-stand-in';
import { runbookSteps } from '../../src/migration/runbook-steps';

const stepsOf = (rig: PhysicalRig) => runbookSteps(rig.h.bots[0].cutover.plan.hops[0]).map((s) => s.id);

/** Issue 13's findings, each as it was seen: a stalled executor, stale buttons and requests, a resume that skipped its checks, two records of one state. */
describe('a cutover is checked against the migration as it is now (issue 13)', () => {
  let rig: PhysicalRig;
  let h: BotHarness;
  let world: PhysicalRig['world'];

  beforeAll(async () => {
    rig = await physicalRig({ rows: 100, instances: 2, secondHop: true });
    ({ h, world } = rig);
    await h.command('U0OPS1', 'lock cutover day');
  });
  afterAll(() => rig.stop());

  const runs = () => h.bots[0].cutover.runner['deps'].runs;

  test('finding 2: a second cutover request for a hop is refused while one is pending', async () => {
    expect(await h.command('U0OPS1', 'cutover hop-one')).toContain('approval request is in the channel');
    expect(await h.command('U0OPS1', 'cutover hop-one')).toMatch(/already pending/);
    expect((await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover')).toHaveLength(1);
  });

  test('finding 1: an executor that stalled past its lease is fenced out once the run is resumed elsewhere; its late failure is not recorded over the finished run', async () => {
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    // Executor A (instance 0) is stuck on Heroku in step 6, and its lease is gone (a Redis blip, a paused process).
    world.heroku.hang = /^GET \/apps\/acme-api\/config-vars$/;
    await h.slack.replyTo((await h.click('U0APP1', APPROVE_ACTION, req.id, { instance: 0 })).key);
    await h.slack.replyTo((await h.click('U0APP2', APPROVE_ACTION, req.id, { instance: 0 })).key);
    await eventually(() => world.heroku.calls.some((c) => c.path === '/apps/acme-api/config-vars'), 30_000, 'executor A to reach step 6');
    world.heroku.hang = undefined;
    const stuckAt = Date.now();
    await h.bots[0].cutover.redis.del(h.bots[0].cutover.keys.cutoverLease('hop-one'));
    const interrupted = await eventually(async () => ((await runs().get('hop-one'))?.status === 'interrupted' ? runs().get('hop-one') : undefined), 15_000, 'recovery to mark the run interrupted');
    const resume = await runButtonDrawn(h.slack, CUTOVER_RESUME, interrupted!.id);

    // An operator resumes it on instance 1: executor B finishes it.
    expect(await h.slack.replyTo((await h.click('U0OPS1', CUTOVER_RESUME, resume, { instance: 1 })).key)).toContain('Resuming');
    const done = await eventually(async () => ((await runs().get('hop-one'))?.status === 'done' ? runs().get('hop-one') : undefined), 30_000, 'executor B to finish');
    expect(done!.steps.repoint.attempts).toBe(2);

    // A's Heroku call times out (15 s) and A wakes up: it must neither record its failure nor act again.
    await sleep(Math.max(0, stuckAt + 17_000 - Date.now()));
    const after = (await runs().get('hop-one'))!;
    expect(after.status).toBe('done');
    expect(after.failure).toBeUndefined();
    expect(Object.fromEntries(Object.entries(after.steps).map(([k, v]) => [k, v.status]))).toEqual(Object.fromEntries(stepsOf(rig).map((s) => [s, 'done'])));
    expect(world.heroku.maintenance).toBe(false);
    expect(world.heroku.calls.filter((c) => c.method === 'PATCH' && c.path === '/apps/acme-api').map((c) => c.body)).toEqual([{ maintenance: true }, { maintenance: false }]);
  }, 90_000);

  test('finding 9: after the cutover, status and plan read the steps the run recorded', async () => {
    // The next hop is current now; the plan shows every step of hop-one done.
    const n = stepsOf(rig).length;
    const plan = await h.command('U0ANYONE', 'plan');
    expect((plan.match(/:white_check_mark:/g) ?? []).length).toBeGreaterThanOrEqual(n);
    await h.bots[0].cutover.migration.update((m) => ({ next: { ...m, currentHop: 'hop-one' }, result: undefined }));
    expect(await h.command('U0ANYONE', 'status')).toContain(`${n} of ${n} cutover steps done`);
    await h.bots[0].cutover.migration.update((m) => ({ next: { ...m, currentHop: 'hop-two' }, result: undefined }));
  });

  test('finding 2: a finished run is never replaced: starting hop-one again stops nothing', async () => {
    const calls = world.heroku.calls.length;
    await expect(h.bots[0].cutover.runner.start('hop-one', 'U0OPS1')).rejects.toThrow(/nothing was run/);
    expect(world.heroku.calls.length).toBe(calls);
    expect(world.heroku.maintenance).toBe(false);
    expect((await runs().get('hop-one'))!.status).toBe('done');
  });
});

describe('Resume checks the hold, the gates and the run\'s age (issue 13, finding 3)', () => {
  let rig: PhysicalRig;
  let h: BotHarness;
  let world: PhysicalRig['world'];

  beforeAll(async () => {
    rig = await physicalRig({ rows: 10, fenceTimeoutSeconds: 2 });
    ({ h, world } = rig);
    await h.command('U0OPS1', 'lock cutover day');
  });
  afterAll(() => rig.stop());

  test('a failed run is not resumed under a hold, nor days later without a new approval; approved again, it resumes and finishes', async () => {
    const runs = h.bots[0].cutover.runner['deps'].runs;
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    // The standby stops replaying once the app is stopped: the fence never arrives and the run fails.
    world.heroku.delay = { match: /^PATCH \/apps\/acme-api$/, ms: 1500 };
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    await eventually(() => world.heroku.calls.some((c) => c.method === 'PATCH' && c.path === '/apps/acme-api'), 15_000, 'maintenance mode to be asked for');
    await rig.standby.sql('SELECT pg_wal_replay_pause()');
    world.heroku.delay = undefined;
    const failed = await finishedRun(h, 'hop-one', 30_000, req.id);
    expect(failed.status).toBe('failed');
    expect(world.heroku.maintenance).toBe(true);
    await rig.standby.sql('SELECT pg_wal_replay_resume()');

    await h.command('U0OPS2', 'hold the error tracker is down');
    const underHold = await h.slack.replyTo((await h.click('U0OPS1', CUTOVER_RESUME, await runButtonDrawn(h.slack, CUTOVER_RESUME, failed.id))).key);
    expect(underHold).toMatch(/Not resumed[\s\S]*Hold/);
    expect((await runs.get('hop-one'))!.status).toBe('failed');
    await h.command('U0OPS2', 'unhold');

    // Two days go by.
    const key = h.bots[0].cutover.keys.cutoverRun('hop-one');
    const run = JSON.parse((await h.bots[0].cutover.redis.get(key))!);
    const twoDaysAgo = Date.now() - 2 * 24 * 3600_000;
    await h.bots[0].cutover.redis.set(key, JSON.stringify({ ...run, startedAt: twoDaysAgo, stoppedAt: twoDaysAgo + 60_000 }));
    const late = await h.slack.replyTo((await h.click('U0OPS1', CUTOVER_RESUME, newestButtonValue(h.slack, CUTOVER_RESUME))).key);
    expect(late).toMatch(/Not resumed yet: this cutover stopped \d+ min ago, more than resume_max_age_minutes \(30\)/);
    expect((await runs.get('hop-one'))!.status).toBe('failed');

    const [again] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover.resume');
    await approveBy(h, again.id, ['U0APP3', 'U0APP4']);
    const done = await eventually(async () => ((await runs.get('hop-one'))?.status === 'done' ? runs.get('hop-one') : undefined), 30_000, 'the approved resume to finish');
    expect(done!.failure).toBeUndefined();
    expect(done!.attempt).toBe(2);
    expect(world.heroku.maintenance).toBe(false);
  }, 90_000);
});

describe('an old Roll back button (issue 13, finding 2)', () => {
  let rig: PhysicalRig;
  let h: BotHarness;
  let world: PhysicalRig['world'];

  beforeAll(async () => {
    rig = await physicalRig({ rows: 10, secondHop: true });
    ({ h, world } = rig);
    await h.command('U0OPS1', 'lock cutover day');
    expect(await h.command('U0OPS1', 'cutover hop-one')).toContain('approval request');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    expect((await finishedRun(h, 'hop-one', 45_000, req.id)).status).toBe('done');
  });
  afterAll(() => rig.stop());

  test('finding 2: a Roll back button of hop-one clicked after hop-two was cut over is refused and changes nothing', async () => {
    world.rollbar.spike(40, 10);
    await h.bots[0].cutover.gates.watch();
    await eventually(() => h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('right after the cutover of *hop-one*')), 5000, 'the spike alert');
    const oldButton = newestButtonValue(h.slack, 'cutover.rollback');
    world.rollbar.steady(2);

    // Hop two is cut over (as its finished run leaves the state): the app now writes to the third database.
    const { redis, keys } = h.bots[0].cutover;
    const now = Date.now();
    await redis.set(keys.cutoverRun('hop-two'), JSON.stringify({ id: 'hop-two-run', hop: 'hop-two', requester: 'U0OPS1', fence: 999, attempt: 1, owner: 'x', status: 'done', steps: {}, startedAt: now - 60_000, finishedAt: now }));
    await h.bots[0].cutover.migration.update((m) => ({ next: { ...m, epoch: m.epoch + 1, currentHop: 'hop-two', hops: { ...m.hops, 'hop-two': { ...m.hops['hop-two'], status: 'done', since: now, runId: 'hop-two-run' } } }, result: undefined }));
    const third = 'postgres://third.example/app';
    world.heroku.configVars.DATABASE_URL = third;

    const reply = await h.slack.replyTo((await h.click('U0OPS2', 'cutover.rollback', oldButton)).key);
    expect(reply).toMatch(/[Tt]his Roll back is for hop-one; hop-two was cut over at \d\d:\d\d UTC: nothing was done/);
    expect((await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover.rollback')).toHaveLength(0);
    expect(world.heroku.configVars.DATABASE_URL).toBe(third);
  });
});
