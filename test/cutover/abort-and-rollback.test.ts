import { newestButtonValue, runButtonDrawn } from '../support/buttons';
import { CUTOVER_ABORT, CUTOVER_RESUME } from '../../src/views/cutover-view';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import type { BotHarness } from '../support/bot-harness';
import { appUrl, finishedRun, physicalRig, type PhysicalRig } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import type { PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';

describe('stopping a cutover: a fence that never arrives, a failing platform, an abort mid-run', () => {
  let rig: PhysicalRig;
  let primary: PgCluster;
  let standby: PgCluster;
  let world: PhysicalRig['world'];
  let h: BotHarness;

  beforeAll(async () => {
    rig = await physicalRig({ fenceTimeoutSeconds: 2 });
    ({ primary, standby, world, h } = rig);
  });
  afterAll(() => rig.stop());

  test('stops the run with Abort offered; Abort puts the app back on the source, as it was', async () => {
    await h.command('U0OPS1', 'lock cutover');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    // Replay stops once the gates have passed and the app is going down: the final heartbeat will not reach the target.
    world.heroku.delay = { match: /^PATCH \/apps\/acme-api$/, ms: 1500 };
    await h.slack.replyTo((await h.click('U0APP1', APPROVE_ACTION, req.id)).key);
    await h.slack.replyTo((await h.click('U0APP2', APPROVE_ACTION, req.id)).key);
    await eventually(() => world.heroku.calls.some((c) => c.method === 'PATCH' && c.path === '/apps/acme-api'), 15_000, 'maintenance mode to be asked for');
    await standby.sql('SELECT pg_wal_replay_pause()');
    world.heroku.delay = undefined;
    const runs = h.bots[0].cutover.runner['deps'].runs;
    const failed = await finishedRun(h, 'hop-one', 20_000, req.id);
    expect(failed.status).toBe('failed');
    expect(failed.failure).toMatch(/did not show heartbeat \d+ within 2 s[\s\S]*Abort puts it back/);
    expect(world.heroku.maintenance).toBe(true);
    const lastTimeline = () => h.slack.callsOf('chat.update').filter((c) => messageText(c.args).includes('Cutover hop-one:')).at(-1)!;
    await eventually(() => messageText(lastTimeline().args).includes('STOPPED'), 5000, 'the timeline to say it stopped');
    const buttons = JSON.stringify(lastTimeline().args.blocks);
    expect(buttons).toContain(CUTOVER_ABORT);
    expect(buttons).toContain(CUTOVER_RESUME);

    expect(await h.slack.replyTo((await h.click('U0STRANGER', CUTOVER_ABORT, newestButtonValue(h.slack, CUTOVER_ABORT))).key)).toContain('Only operators');
    const abort = await h.click('U0OPS2', CUTOVER_ABORT, newestButtonValue(h.slack, CUTOVER_ABORT));
    expect(await h.slack.replyTo(abort.key, 10_000)).toContain('aborted and rolled back');
    expect(world.heroku.maintenance).toBe(false);
    expect([world.heroku.scaleOf('web'), world.heroku.scaleOf('worker'), world.heroku.scaleOf('release')]).toEqual([3, 2, 0]);
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(primary));
    expect((await runs.get('hop-one'))!.status).toBe('aborted');
    expect((await h.bots[0].cutover.migration.read()).hops['hop-one'].status).toBe('streaming');
    // Nothing was promoted: the standby still follows the source.
    expect((await standby.sql<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r).toBe(true);
    await standby.sql('SELECT pg_wal_replay_resume()');
  });

  test.each([
    ['a 503', { status: 503 }, /Heroku PATCH \/apps\/acme-api\/formation: HTTP 503 \(server-error\)/],
    ['garbage', { status: 200, garbage: true }, /Heroku PATCH \/apps\/acme-api\/formation: not JSON: <html>Application error/],
  ])('Heroku answering %s while the app is stopped: the run stops with the reason, and Abort brings the app back', async (_name, fault, why) => {
    await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'caught up again');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    world.heroku.fault = { match: /^PATCH \/apps\/acme-api\/formation$/, ...fault };
    let failedId: string | undefined;
    try {
      await h.slack.replyTo((await h.click('U0APP3', APPROVE_ACTION, req.id)).key);
      await h.slack.replyTo((await h.click('U0APP4', APPROVE_ACTION, req.id)).key);
      const failed = await finishedRun(h, 'hop-one', 20_000, req.id);
      failedId = failed.id;
      expect(failed.status).toBe('failed');
      expect(failed.steps['stop-writes'].status).toBe('failed');
      expect(failed.failure).toMatch(why);
      expect(world.heroku.maintenance).toBe(true);
    } finally {
      world.heroku.fault = undefined;
    }
    expect(await h.slack.replyTo((await h.click('U0OPS2', CUTOVER_ABORT, await runButtonDrawn(h.slack, CUTOVER_ABORT, failedId!))).key, 10_000)).toContain('aborted and rolled back');
    expect(world.heroku.maintenance).toBe(false);
    expect([world.heroku.scaleOf('web'), world.heroku.scaleOf('worker')]).toEqual([3, 2]);
  });

  test('Abort while a step runs: the run stops at the next safe point and rolls back; the app is back on the source', async () => {
    await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'caught up again');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    world.heroku.delay = { match: /^GET \/apps\/acme-api\/config-vars$/, ms: 1500 };
    try {
      await h.slack.replyTo((await h.click('U0APP5', APPROVE_ACTION, req.id)).key);
      await h.slack.replyTo((await h.click('U0APP6', APPROVE_ACTION, req.id)).key);
      await eventually(() => world.heroku.calls.some((c) => c.path === '/apps/acme-api/config-vars'), 20_000, 'step 6 to begin');
      expect(await h.slack.replyTo((await h.click('U0OPS2', CUTOVER_ABORT, newestButtonValue(h.slack, CUTOVER_ABORT))).key)).toContain('Abort requested');
    } finally {
      world.heroku.delay = undefined;
    }
    const runs = h.bots[0].cutover.runner['deps'].runs;
    const aborted = await eventually(async () => ((await runs.get('hop-one'))?.status === 'aborted' ? runs.get('hop-one') : undefined), 20_000, 'the roll back');
    expect(aborted!.steps['app-back'].status).toBe('pending');
    expect(aborted!.undo!.join('\n')).toMatch(/repoint: back to the source[\s\S]*detach: the target stays promoted[\s\S]*stop-writes: app back on the source/);
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(primary));
    expect(world.heroku.attachments.map((a) => [a.name, a.addon.id])).toEqual([['DATABASE', 'addon-pg']]);
    expect(world.heroku.configVars.CUTOVER_OLD_DATABASE_URL).toBeUndefined();
    expect(world.heroku.maintenance).toBe(false);
    expect([world.heroku.scaleOf('web'), world.heroku.scaleOf('worker')]).toEqual([3, 2]);
  });
});
