import type Redis from 'ioredis';
import { testRedis } from '../support/redis';
import { SOURCE, TARGET, until, World } from './scripted-world';

/**
 * Abort, Resume and recovery at their worst moments (a review that tried to break issue 13's fix):
 * the real runner, lock, migration record and lease in Redis, with scripted steps acting on a model app.
 */
describe('abort, resume and recovery at the worst moment', () => {
  let redis: Redis;
  let w: World;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(() => redis.quit());
  beforeEach(() => {
    w = new World(redis);
  });
  afterEach(() => w.cleanUp());

  const HOP = 'heroku-to-ec2';

  test('A1: an Abort whose undo of "repoint" fails must not bring the app back up (still pointed at the target) and call the hop streaming', async () => {
    await w.lock().acquire('U0OPS1', 'cutover day');
    const runner = w.runner();
    const repoint = w.gate('repoint');
    const started = runner.start(HOP, 'U0OPS1');
    await repoint.reached;
    // Abort while step 6 is in flight (allowed: app-back not claimed yet).
    expect(await runner.abort(HOP, 'U0OPS2')).toMatch(/Abort requested/);
    // Heroku 503s on the way back.
    w.failUndo.add('repoint');
    repoint.release();
    const reply = await started;
    expect(reply).toMatch(/roll back stopped: undoing repoint failed/);
    expect((await w.runs.get(HOP))?.status).toBe('failed');
    const m = await w.migration.read();
    // What the code does today:
    // The safety property: the app is never taking writes on the target while the migration says the source is primary.
    const writesOnTarget = w.app.url === TARGET && !w.app.maintenance;
    expect({ writesOnTarget, hop: m.hops[HOP].status }).not.toEqual({ writesOnTarget: true, hop: 'streaming' });
  });

  test('A2: an Abort after the executor lost its lease mid-step must undo (or wait for) the step in flight', async () => {
    await w.lock().acquire('U0OPS1', 'cutover day');
    const runner = w.runner('p0');
    const repoint = w.gate('repoint');
    const started = runner.start(HOP, 'U0OPS1');
    await repoint.reached;
    // The PATCH of config-vars landed at Heroku; the answer is late. Meanwhile the lease is gone
    // (a Redis blip longer than the lease, or a Redis error while recording the step).
    expect(w.app.url).toBe(TARGET);
    await redis.del(w.keys.cutoverLease(HOP));
    // An operator on another process clicks Abort (before the leader's 15 s recovery tick).
    const other = w.runner('p1');
    const reply = await other.abort(HOP, 'U0OPS2');
    // Nothing is undone under a step that may still land: the run waits for recovery.
    expect(reply).toMatch(/not answering[\s\S]*nothing was undone yet/);
    expect((await w.migration.read()).hops[HOP].status).toBe('cutting-over');
    repoint.release();
    await started;
    expect(w.app.maintenance).toBe(true);
    // Recovery marks it interrupted; the second Abort rolls back, the step that was in flight included.
    expect(await other.recoverInterrupted()).toEqual([HOP]);
    expect(await other.abort(HOP, 'U0OPS2')).toMatch(/aborted and rolled back/);
    const m = await w.migration.read();
    expect(m.hops[HOP].status).toBe('streaming');
    expect(w.app.url).not.toBe(TARGET);
    expect(w.app.maintenance).toBe(false);
  });

  test('A3: a run that died long ago must need a new approval to resume, however late recovery noticed it', async () => {
    await w.lock().acquire('U0OPS1', 'cutover day');
    const runner = w.runner('p0');
    const fence = w.gate('fence');
    void runner.start(HOP, 'U0OPS1').catch(() => undefined);
    await fence.reached;
    const diedAt = Date.now();
    // The process dies in step 3 (its lease left to expire). The bot is down for 3 hours
    // (crash loop, Redis outage, platform incident); the next process recovers at start-up.
    await redis.del(w.keys.cutoverLease(HOP));
    const later = diedAt + 3 * 3600_000;
    const next = w.runner('p1');
    expect(await next.recoverInterrupted(later)).toEqual([HOP]);
    expect((await w.runs.get(HOP))!.stoppedAt).toBeLessThan(diedAt + 1000);
    // Five minutes after start-up, an operator clicks Resume: the run stopped 3 h ago (> 30 min).
    const reply = await next.resume(HOP, 'U0OPS1', { now: later + 5 * 60_000 });
    expect(reply).not.toMatch(/^Resuming/);
    expect(w.resumeApprovals).toHaveLength(1);
  });

  test('A4: the leader\'s recovery check must not mark a just-approved cutover interrupted before its executor starts', async () => {
    await w.lock().acquire('U0OPS1', 'cutover day');
    const runner = w.runner('p0');
    // Slack takes 600 ms to post the timeline (under the 2 s bound).
    w.postDelayMs = 600;
    const started = runner.start(HOP, 'U0OPS1');
    await until(async () => (await w.runs.get(HOP))?.status === 'running');
    // The leader's cutover-recovery job (every 15 s, on any process) ticks now.
    const recovered = await w.runner('p1').recoverInterrupted();
    const reply = await started;
    expect(recovered).toEqual([]);
    expect((await w.runs.get(HOP))!.status).toBe('done');
    expect(reply).toBe(`cutover of ${HOP} done`);
  });

  test('A5 (held): two Resumes at once from two processes: exactly one executes', async () => {
    await w.lock().acquire('U0OPS1', 'cutover day');
    const fence = w.gate('fence');
    void w.runner('p0').start(HOP, 'U0OPS1').catch(() => undefined);
    await fence.reached;
    await redis.del(w.keys.cutoverLease(HOP));
    await w.runner('p0').recoverInterrupted();
    w.gates.delete('fence');
    const [a, b] = await Promise.all([w.runner('p1').resume(HOP, 'U0OPS1'), w.runner('p2').resume(HOP, 'U0OPS1')]);
    expect([a, b].filter((r) => r.startsWith('Resuming'))).toHaveLength(1);
    fence.release();
    await until(async () => (await w.runs.get(HOP))?.status === 'done');
    const ran = w.app.log.filter((l) => / run (repoint|app-back)$/.test(l));
    expect(ran).toHaveLength(2);
    expect(w.app.url).toBe(TARGET);
  });

  test('A6 (held): lock force-released mid-run and re-taken by the same user fences the executor out; Resume gets it going', async () => {
    const lock = w.lock();
    await lock.acquire('U0OPS1', 'cutover day');
    const runner = w.runner('p0');
    const fence = w.gate('fence');
    const started = runner.start(HOP, 'U0OPS1');
    await fence.reached;
    await redis.del(w.keys.lock);
    await lock.acquire('U0OPS1', 'again');
    fence.release();
    expect(await started).toMatch(/fenced out/);
    expect(w.app.log.some((l) => l.endsWith('run detach'))).toBe(false);
    await w.runner('p1').recoverInterrupted();
    expect(await w.runner('p1').resume(HOP, 'U0OPS1')).toMatch(/^Resuming/);
    await until(async () => (await w.runs.get(HOP))?.status === 'done');
    expect(w.app).toMatchObject({ url: TARGET, maintenance: false });
    void SOURCE;
  });
});
