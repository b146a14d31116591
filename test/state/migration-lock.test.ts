import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { keysFor } from '../../src/state/keys';
import { MigrationLock, type AcquireOutcome } from '../../src/state/migration-lock';
import { connectStateStore, untilReady, type StateStore } from '../../src/state/state-store';
import { BotHarness } from '../support/bot-harness';
import { eventually, sleep } from '../support/free-port';
import { TEST_REDIS_URL } from '../support/redis';
import { testPlan } from '../support/test-plan';

describe('the migration lock', () => {
  const conns: StateStore[] = [];
  const connect = async () => {
    const c = connectStateStore(TEST_REDIS_URL);
    conns.push(c);
    await untilReady(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.quit()));
  });

  test('50 concurrent acquirers over two connections: exactly one holder', async () => {
    const keys = keysFor(testPlan().name);
    const a = new MigrationLock(await connect(), keys, 'process-a');
    const b = new MigrationLock(await connect(), keys, 'process-b');
    const outcomes: AcquireOutcome[] = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).acquire(`U0USER${i}`, `attempt ${i}`)),
    );
    const winners = outcomes.filter((o) => o.acquired);
    expect(winners).toHaveLength(1);
    const holder = (await a.read())!;
    expect(holder.holder).toBe(winners[0].lock.holder);
    expect(outcomes.filter((o) => !o.acquired).every((o) => o.lock.token === holder.token)).toBe(true);
  });

  test('fencing tokens strictly increase across acquisitions, whoever takes the lock', async () => {
    const keys = keysFor(testPlan().name);
    const locks = [new MigrationLock(await connect(), keys, 'p1'), new MigrationLock(await connect(), keys, 'p2')];
    const fences: number[] = [];
    for (let i = 0; i < 20; i++) {
      const out = await locks[i % 2].acquire('U0OPS1', `round ${i}`);
      if (!out.acquired) throw new Error('lock should be free');
      fences.push(out.lock.fence);
      expect(await locks[(i + 1) % 2].isFenceCurrent(out.lock.fence)).toBe(true);
      expect(await locks[(i + 1) % 2].release(out.lock.token)).toBe(true);
      expect(await locks[0].isFenceCurrent(out.lock.fence)).toBe(false);
    }
    for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1]);
  });

  test('only the owner token releases it', async () => {
    const keys = keysFor(testPlan().name);
    const lock = new MigrationLock(await connect(), keys, 'p');
    const out = await lock.acquire('U0OPS1', 'mine');
    expect(out.acquired).toBe(true);
    expect(await lock.release('some-other-token')).toBe(false);
    expect((await lock.read())?.holder).toBe('U0OPS1');
    expect(await lock.release(out.lock.token)).toBe(true);
  });

  test('a renewed lock outlives its TTL; a holder killed with SIGKILL loses it after the TTL', async () => {
    const plan = testPlan();
    const ttlMs = 1500;
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../support/lock-holder-process.ts'), TEST_REDIS_URL, plan.name, String(ttlMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await eventually(() => out.includes('HELD'), 20_000, 'the child to take the lock');
    const observer = new MigrationLock(await connect(), keysFor(plan.name), 'observer');
    await sleep(ttlMs * 2);
    expect((await observer.read())?.holder).toBe('U0CHILD');

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await eventually(async () => (await observer.read()) === undefined, ttlMs * 3, 'the lock to expire');
    expect(Date.now() - killedAt).toBeLessThanOrEqual(ttlMs + 500);
    expect((await observer.acquire('U0OPS2', 'after the crash')).acquired).toBe(true);
  });

  test('a graceful stop hands the lock to the next process instead of dropping it', async () => {
    const keys = keysFor(testPlan().name);
    const timing = { ttlMs: 600, handoffMs: 5000 };
    const first = new MigrationLock(await connect(), keys, 'first', timing);
    await first.acquire('U0OPS1', 'long migration day');
    first.startRenewing();
    await first.stopRenewing(true);
    await sleep(timing.ttlMs * 2);
    expect((await first.read())?.process).toBe('');
    const next = new MigrationLock(await connect(), keys, 'next', timing);
    expect(await next.renew()).toBe('adopted');
    next.startRenewing();
    await sleep(timing.ttlMs * 2);
    const lock = await next.read();
    expect(lock).toMatchObject({ holder: 'U0OPS1', process: 'next' });
    await next.stopRenewing(false);
  });

  test('through Slack: 50 concurrent /migrate lock over two bot instances, one holder', async () => {
    const h = await BotHarness.start({ instances: 2 });
    try {
      const users = ['U0OPS1', 'U0OPS2'];
      const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => h.sendCommand(users[i % 2], `lock race ${i}`, { instance: i % 2 })));
      expect(sent.every((s) => s.status === 200)).toBe(true);
      const replies = await Promise.all(sent.map((s) => h.slack.replyTo(s.key, 15_000)));
      expect(replies.filter((r) => r.includes('You hold the migration lock'))).toHaveLength(1);
      const lock = (await h.bots[0].cutover.lock.read())!;
      expect(replies.filter((r) => r.includes('You already hold')).length + replies.filter((r) => r.includes('The lock is taken')).length).toBe(49);
      expect(users).toContain(lock.holder);
    } finally {
      await h.stop();
    }
  });
});
