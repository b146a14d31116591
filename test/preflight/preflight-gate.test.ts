import { PreflightCache, preflightGate } from '../../src/checks/preflight/preflight-gate';
import type { PreflightReport } from '../../src/checks/preflight/preflight-check';
import { GateRunner } from '../../src/gates/gate-runner';
import { testPlan } from '../support/test-plan';

const hop = testPlan().hops[1];

describe('the preflight gate reuses its report, so the periodic health round does not call AWS each time', () => {
  let clock = 1_000_000;
  let runs = 0;
  let missing = false;
  const run = async (): Promise<PreflightReport> => {
    runs++;
    const status = missing ? 'fail' : 'ok';
    return { hop: hop.id, at: clock, checks: [{ id: 'aws.dms:StopReplicationTask', label: 'AWS dms:StopReplicationTask', status, source: 'AWS', observedAt: clock, as: 'the AWS credentials of the bot' }] };
  };
  const cache = new PreflightCache(run, { okMs: 600_000, notOkMs: 60_000 }, () => clock);
  const gateRunner = new GateRunner(5000, 0);
  const goNoGo = () => gateRunner.evaluate([preflightGate(hop, cache, 5000)], { fresh: true, now: () => clock });

  test('a clean report is reused for okMs even by fresh go/no-go rounds; a failing one for notOkMs; `/migrate preflight` (fresh) always runs', async () => {
    expect((await goNoGo()).go).toBe(true);
    clock += 599_000;
    expect((await goNoGo()).go).toBe(true);
    expect(runs).toBe(1);
    clock += 2_000;
    missing = true;
    const r = await goNoGo();
    expect(r.go).toBe(false);
    expect(r.blocking[0].detail).toContain('AWS dms:StopReplicationTask');
    expect(runs).toBe(2);
    clock += 59_000;
    await goNoGo();
    expect(runs).toBe(2);
    missing = false;
    await cache.report(hop, true);
    expect(runs).toBe(3);
    expect((await goNoGo()).go).toBe(true);
    expect(runs).toBe(3);
  });

  test('rounds asking at the same time share one run', async () => {
    const before = runs;
    await Promise.all([cache.report(hop, true), cache.report(hop, true), goNoGo()]);
    expect(runs).toBe(before + 1);
  });
});
