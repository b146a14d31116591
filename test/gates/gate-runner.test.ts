import type { CheckResult } from '../../src/checks/check-result';
import { GateRunner, type Gate } from '../../src/gates/gate-runner';

const result = (id: string, status: CheckResult['status'], observedAt = Date.now()): CheckResult => ({ id, label: id, status, source: 'test', observedAt });
const gate = (id: string, run: () => Promise<CheckResult[]>): Gate => ({ id, label: id, source: 'test', run });

describe('the gate runner', () => {
  test('all ok (or warn) is GO; one unknown or fail is NO-GO and named', async () => {
    const runner = new GateRunner(500, 0);
    expect((await runner.evaluate([gate('a', async () => [result('a', 'ok')]), gate('b', async () => [result('b', 'warn')])])).go).toBe(true);
    const r = await runner.evaluate([gate('a', async () => [result('a', 'ok')]), gate('b', async () => [result('b', 'unknown')]), gate('c', async () => [result('c', 'fail')])]);
    expect(r.go).toBe(false);
    expect(r.blocking.map((b) => b.id)).toEqual(['b', 'c']);
  });

  test('a gate that hangs is unknown after its timeout; one that throws is unknown with the error; checks run concurrently', async () => {
    const runner = new GateRunner(300, 0);
    const started = Date.now();
    const r = await runner.evaluate([
      gate('hangs', () => new Promise(() => undefined)),
      gate('throws', async () => Promise.reject(new Error('connection refused'))),
      gate('slow', () => new Promise((res) => setTimeout(() => res([result('slow', 'ok')]), 200))),
    ]);
    expect(Date.now() - started).toBeLessThan(600);
    expect(r.results.map((x) => [x.id, x.status])).toEqual([
      ['hangs', 'unknown'],
      ['throws', 'unknown'],
      ['slow', 'ok'],
    ]);
    expect(r.results[0].detail).toBe('no answer within 300 ms');
    expect(r.results[1].detail).toBe('the check failed: connection refused');
    expect(r.go).toBe(false);
  });

  test('no gates at all is not GO', async () => {
    expect((await new GateRunner().evaluate([])).go).toBe(false);
  });

  test('results are cached for the cache period and keep the time they were observed', async () => {
    let calls = 0;
    let clock = 1_000_000;
    const runner = new GateRunner(500, 30_000);
    const g = gate('a', async () => {
      calls++;
      return [result('a', 'ok', clock)];
    });
    await runner.evaluate([g], { now: () => clock });
    clock += 10_000;
    const cached = await runner.evaluate([g], { now: () => clock });
    expect(calls).toBe(1);
    expect(cached.at - cached.results[0].observedAt).toBe(10_000);
    clock += 25_000;
    await runner.evaluate([g], { now: () => clock });
    expect(calls).toBe(2);
    await runner.evaluate([g], { now: () => clock, fresh: true });
    expect(calls).toBe(3);
  });
});
