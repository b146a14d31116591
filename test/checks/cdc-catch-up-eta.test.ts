import { cdcLatencyCatchUp, hopCatchUp, type CatchUpEstimate } from '../../src/checks/catch-up-eta';
import type { LatencyPoint } from '../../src/dms/cdc-latency';
import { CDC_TREND_MS, catchUpReader } from '../../src/dms/hop-catch-up';
import type { Hop } from '../../src/plan/plan';
import { catchUpLine } from '../../src/views/lag-view';

const T0 = Date.parse('2026-11-30T09:00:00Z');

/** CloudWatch's one-minute averages: `count` points, the value at minute i given by `at(i)`. */
const perMinute = (count: number, at: (i: number) => number): LatencyPoint[] => Array.from({ length: count }, (_, i) => ({ at: T0 + i * 60_000, seconds: at(i) }));

function expectKind<K extends CatchUpEstimate['kind']>(e: CatchUpEstimate, kind: K): Extract<CatchUpEstimate, { kind: K }> {
  expect(e.kind).toBe(kind);
  return e as Extract<CatchUpEstimate, { kind: K }>;
}

const withBasis = (e: CatchUpEstimate): CatchUpEstimate => ({ ...e, basis: { of: 'cdc-latency', windowMs: CDC_TREND_MS } });

describe('catch-up ETA of DMS CDC from CloudWatch\'s CDC latency trend', () => {
  test('target latency falling 30 s a minute from 15 min: caught up (within 60 s) in about 28 min', () => {
    // 21 points over 20 min: 1500 s down to 900 s; the source stays at 4 s.
    const e = expectKind(cdcLatencyCatchUp({ target: perMinute(21, (i) => 1500 - 30 * i), source: perMinute(21, () => 4) }, { caughtUpSeconds: 60 }), 'catching-up');
    expect(e.etaMs / 60_000).toBeCloseTo((900 - 60) / 30, 5);
    expect(catchUpLine(withBasis(e))).toBe('*Catch-up:* caught up in about 28 min (CloudWatch CDC latency 15.0 min at the target, falling 30 s a minute; 4.0 s at the source, steady)');
  });

  test('the slope is least-squares: one noisy point does not flip the estimate', () => {
    const target = perMinute(21, (i) => 1500 - 30 * i);
    target[19] = { ...target[19], seconds: 2000 };
    expect(cdcLatencyCatchUp({ target, source: [] }, { caughtUpSeconds: 60 }).kind).toBe('catching-up');
  });

  test('target latency rising 40 s a minute: falling behind, with the rates in words', () => {
    const e = expectKind(cdcLatencyCatchUp({ target: perMinute(16, (i) => 120 + 40 * i), source: perMinute(16, (i) => 2 + 3 * i) }, { caughtUpSeconds: 60 }), 'falling-behind');
    expect(e.rates).toMatchObject({ unit: 'cdc-seconds', target: { seconds: 720 } });
    expect(catchUpLine(withBasis(e))).toBe('*Catch-up:* :warning: falling behind: CloudWatch CDC latency 12.0 min at the target, rising 40 s a minute; 47 s at the source, rising 3.0 s a minute');
  });

  test('a steady latency above the gate is not catching up', () => {
    expect(cdcLatencyCatchUp({ target: perMinute(10, () => 300), source: [] }, { caughtUpSeconds: 60 }).kind).toBe('falling-behind');
  });

  test('target latency within max_cdc_latency_seconds: caught up, saying the latency', () => {
    const e = expectKind(cdcLatencyCatchUp({ target: perMinute(10, (i) => 3 + (i % 3)), source: [] }, { caughtUpSeconds: 60 }), 'caught-up');
    expect(catchUpLine(withBasis(e))).toBe('*Catch-up:* caught up (CloudWatch CDC latency 3.0 s at the target, steady)');
  });

  test('too few points, or too short a span: not known yet, saying what CloudWatch has', () => {
    const few = expectKind(cdcLatencyCatchUp({ target: perMinute(3, (i) => 900 - 30 * i), source: [] }, { caughtUpSeconds: 60 }), 'not-enough-samples');
    expect(few).toMatchObject({ samples: 3, spanMs: 120_000 });
    expect(catchUpLine(withBasis(few))).toBe('*Catch-up:* not known yet: CloudWatch has 3 CDCLatencyTarget points over 2 min in the last 30 min (needs 5 over 5 min)');
    // Five points four minutes apart is enough points but too short a span.
    expect(cdcLatencyCatchUp({ target: perMinute(5, () => 900), source: [] }, { caughtUpSeconds: 60 }).kind).toBe('not-enough-samples');
    const none = cdcLatencyCatchUp({ target: [], source: perMinute(10, () => 4) }, { caughtUpSeconds: 60 });
    expect(catchUpLine(withBasis(none))).toBe('*Catch-up:* not known yet: CloudWatch has no CDCLatencyTarget point in the last 30 min (needs 5 over 5 min)');
  });
});

describe('which series a hop\'s estimate reads', () => {
  const thresholds = { maxLagSeconds: 30, maxLagBytes: 64 * 1024 * 1024, lagGraceSeconds: 60, maxCdcLatencySeconds: 60, heartbeatStallSeconds: 120 };
  const dmsHop = { id: 'rds-to-aurora', method: 'dms', thresholds } as Hop;
  const now = T0 + 20 * 60_000;

  test('a DMS hop with CloudWatch reads the CDC latency of the last 30 min, not the heartbeat samples', async () => {
    const asked: [number, number][] = [];
    const read = catchUpReader({
      cdcLatencyTrend: async (_hop, since, at) => {
        asked.push([since, at ?? NaN]);
        return { target: perMinute(21, (i) => 1500 - 30 * i), source: [] };
      },
    });
    const e = await read(dmsHop, [], now);
    expect(e).toMatchObject({ kind: 'catching-up', basis: { of: 'cdc-latency' } });
    expect(asked).toEqual([[now - 30 * 60_000, now]]);
  });

  test('without CloudWatch, or when it fails, the heartbeat lag trend and the reason', async () => {
    const notConfigured = await catchUpReader({ cdcLatencyTrend: async () => undefined })(dmsHop, [], now);
    expect(catchUpLine(notConfigured)).toBe('*Catch-up:* not enough samples yet (0 over 0 s; needs 5 over 5 min) — from the heartbeat lag; CloudWatch not configured for this hop');
    const failed = await catchUpReader({ cdcLatencyTrend: async () => 'CloudWatch did not answer: not authorized' })(dmsHop, [], now);
    expect(catchUpLine(failed)).toContain('— from the heartbeat lag; CloudWatch did not answer: not authorized');
  });

  test('a physical hop never asks CloudWatch', async () => {
    const physical = { id: 'heroku-to-ec2', method: 'physical', thresholds } as Hop;
    const e = await catchUpReader({ cdcLatencyTrend: async () => { throw new Error('asked CloudWatch'); } })(physical, [], now);
    expect(e).toEqual(hopCatchUp(physical, []));
  });
});
