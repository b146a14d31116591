import { catchUpEstimate, hopCatchUp, type CatchUpEstimate } from '../../src/checks/catch-up-eta';
import type { LagSample } from '../../src/checks/lag-sample';
import { lsnBytes } from '../../src/checks/wal-position';
import { catchUpLine } from '../../src/views/lag-view';

const MiB = 1024 * 1024;
const T0 = Date.parse('2026-11-30T09:00:00Z');
const EVERY = 15_000;

const lsn = (bytes: number) => `${Math.floor(bytes / 2 ** 32).toString(16).toUpperCase()}/${(bytes % 2 ** 32).toString(16).toUpperCase()}`;

/** A stored physical sample as takeLagSample writes it: a streaming standby `backlog` bytes behind a source at `sourceAt`. */
function standbySample(at: number, sourceAt: number, replayAt: number, opts: { inRecovery?: boolean; withSourceLsn?: boolean } = {}): LagSample {
  const inRecovery = opts.inRecovery ?? true;
  return {
    hop: 'heroku-to-ec2',
    at,
    source: { ok: true, ms: 4 },
    target: { ok: true, ms: 6 },
    heartbeatLagSeconds: 42.5,
    sourceClock: at,
    sourceHeartbeat: { seq: 500, at: at - 1000 },
    targetHeartbeat: { seq: 460, at: at - 42_500 },
    byteLag: inRecovery ? Math.max(0, sourceAt - replayAt) : null,
    receiveBacklogBytes: inRecovery ? 0 : null,
    replayBacklogBytes: inRecovery ? Math.max(0, sourceAt - replayAt) : null,
    ...(opts.withSourceLsn === false ? {} : { sourceLsn: lsn(sourceAt) }),
    standby: { inRecovery, receiveLsn: lsn(sourceAt), replayLsn: lsn(replayAt), replayPaused: false, lastReplayAt: at - 42_500, feed: inRecovery ? 'streaming' : 'none' },
    sourceReplicas: [{ name: 'ec2-standby', state: 'streaming', replayLsn: lsn(replayAt) }],
    sourceArchiver: { mode: 'on', command: 'wal-g wal-push %p', archived: 1200, failed: 0, lastArchivedAt: at - 30_000, lastFailedAt: null },
    targetReplicas: null,
    targetArchiver: null,
    sourceTransport: 'encrypted and verified',
    targetTransport: 'encrypted and verified',
  };
}

/** `count` samples every 15 s: the source writes `writePerMin`, the standby replays `replayPerMin`, starting `backlog` behind. */
function series(count: number, writePerMin: number, replayPerMin: number, backlog: number, start = 0x16_0000_0000): LagSample[] {
  return Array.from({ length: count }, (_, i) => {
    const minutes = (i * EVERY) / 60_000;
    const source = start + backlog + Math.round(writePerMin * minutes);
    const replay = Math.min(source, start + Math.round(replayPerMin * minutes));
    return standbySample(T0 + i * EVERY, source, replay);
  });
}

const hop = { method: 'physical' as const, thresholds: { maxLagSeconds: 30, maxLagBytes: 64 * MiB, lagGraceSeconds: 60, maxCdcLatencySeconds: 60, heartbeatStallSeconds: 120 } };

function expectKind<K extends CatchUpEstimate['kind']>(e: CatchUpEstimate, kind: K): Extract<CatchUpEstimate, { kind: K }> {
  expect(e.kind).toBe(kind);
  return e as Extract<CatchUpEstimate, { kind: K }>;
}

describe('catch-up ETA of a physical standby', () => {
  test('the fixture writes real LSNs', () => {
    expect(Number(lsnBytes(lsn(0x16_b374_d848)))).toBe(0x16_b374_d848);
  });

  test('catching up: 20 GiB behind, source writes 40 MiB/min, standby replays 150 MiB/min → about 2 h 56 min', () => {
    const e = expectKind(hopCatchUp(hop, series(41, 40 * MiB, 150 * MiB, 20 * 1024 * MiB)), 'catching-up');
    // After 10 min the backlog is 20 GiB − 1100 MiB; it closes at 110 MiB/min.
    expect(e.etaMs / 60_000).toBeCloseTo((20 * 1024 - 1100) / 110, 0);
    expect(e.rates).toMatchObject({ unit: 'bytes' });
    const line = catchUpLine(e);
    expect(line).toBe('*Catch-up:* caught up in about 2 h 56 min (the source writes 40.0 MiB/min, the standby replays 150.0 MiB/min; 18.9 GiB behind)');
  });

  test('falling behind: the source writes 40 MiB/min, the standby replays 35 MiB/min', () => {
    const e = expectKind(hopCatchUp(hop, series(41, 40 * MiB, 35 * MiB, 2 * 1024 * MiB)), 'falling-behind');
    expect(catchUpLine(e)).toBe('*Catch-up:* :warning: falling behind: the source writes 40.0 MiB/min, the standby replays 35.0 MiB/min; 2.0 GiB behind');
  });

  test('caught up: the backlog is within the hop’s max_lag_bytes', () => {
    const e = hopCatchUp(hop, series(41, 40 * MiB, 40 * MiB, 2 * MiB));
    expect(catchUpLine(expectKind(e, 'caught-up'))).toBe('*Catch-up:* caught up');
  });

  test('not enough samples yet: too few, or too short a span', () => {
    const few = expectKind(hopCatchUp(hop, series(3, 40 * MiB, 150 * MiB, 1024 * MiB)), 'not-enough-samples');
    expect(few).toMatchObject({ samples: 3, spanMs: 30_000 });
    expect(catchUpLine(few)).toBe('*Catch-up:* not enough samples yet (3 over 30 s; needs 5 over 5 min)');
    // 19 samples over 4.5 min: enough samples, not enough span.
    expect(hopCatchUp(hop, series(19, 40 * MiB, 150 * MiB, 1024 * MiB)).kind).toBe('not-enough-samples');
    expect(hopCatchUp(hop, []).kind).toBe('not-enough-samples');
  });

  test('a rebuilt standby (positions go backwards) starts the series again instead of a nonsense rate', () => {
    const before = series(40, 40 * MiB, 150 * MiB, 8 * 1024 * MiB);
    // Re-cloned from a base backup: the replay position jumps back 4 GiB.
    const after = series(5, 40 * MiB, 150 * MiB, 12 * 1024 * MiB).map((s, i) => ({ ...s, at: T0 + (40 + i) * EVERY }));
    const e = hopCatchUp(hop, [...before, ...after]);
    // Only the 5 samples over 1 min since the reset count: not enough yet.
    expect(expectKind(e, 'not-enough-samples')).toMatchObject({ samples: 5, spanMs: 60_000 });
  });

  test('a promoted target: nothing left to replay, never an ETA from the old samples', () => {
    const s = series(40, 40 * MiB, 150 * MiB, 1024 * MiB);
    const promoted = { ...standbySample(T0 + 40 * EVERY, 0x17_0000_0000, 0x17_0000_0000, { inRecovery: false }), sourceLsn: null };
    const e = hopCatchUp(hop, [...s, promoted]);
    expect(catchUpLine(expectKind(e, 'promoted'))).toBe('*Catch-up:* the target is promoted: nothing left to replay');
  });

  test('an unreachable target in between is skipped, not read as a zero replay position', () => {
    const s = series(41, 40 * MiB, 150 * MiB, 20 * 1024 * MiB);
    s[20] = { ...s[20], target: { ok: false, ms: 3000, error: 'timeout' }, standby: null, byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null };
    expect(hopCatchUp(hop, s).kind).toBe('catching-up');
  });

  test('older samples without sourceLsn: the source position is replay + byte lag', () => {
    const s = series(41, 40 * MiB, 35 * MiB, 2 * 1024 * MiB).map((x) => {
      const { sourceLsn: _dropped, ...old } = x;
      return old;
    });
    const e = expectKind(hopCatchUp(hop, s), 'falling-behind');
    expect(e.rates).toMatchObject({ unit: 'bytes' });
    if (e.rates.unit === 'bytes') expect(e.rates.writePerMin / MiB).toBeCloseTo(40, 1);
  });
});

describe('catch-up ETA of DMS CDC and logical replication: the end-to-end lag trend', () => {
  /** A DMS hop's stored samples: no standby, the heartbeat lag as CDC delivers it. */
  const cdc = (lags: (number | null)[]): LagSample[] =>
    lags.map((lag, i) => ({ ...standbySample(T0 + i * EVERY, 0, 0), hop: 'rds-to-aurora', heartbeatLagSeconds: lag, byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null, sourceLsn: null, standby: null }));

  test('CDC lag shrinking 30 s a minute from 20 min: caught up in about 40 min', () => {
    const lags = Array.from({ length: 41 }, (_, i) => 1500 - i * 7.5);
    const e = expectKind(catchUpEstimate('dms', cdc(lags), { caughtUpBytes: 0, caughtUpSeconds: 30 }), 'catching-up');
    expect(e.etaMs / 60_000).toBeCloseTo(40, 0);
    expect(catchUpLine(e)).toBe('*Catch-up:* caught up in about 40 min (the end-to-end lag is 20.0 min and shrinks 30 s a minute)');
  });

  test('CDC lag growing: falling behind', () => {
    const lags = Array.from({ length: 41 }, (_, i) => 60 + i * 5);
    const e = catchUpEstimate('dms', cdc(lags), { caughtUpBytes: 0, caughtUpSeconds: 30 });
    expect(catchUpLine(e)).toBe('*Catch-up:* :warning: falling behind: the end-to-end lag is 4.3 min and grows 20 s a minute');
  });

  test('CDC lag within the gate: caught up; unknown lags do not count as samples', () => {
    const lags = Array.from({ length: 41 }, (_, i) => (i % 2 ? null : 2));
    expect(catchUpEstimate('logical', cdc(lags), { caughtUpBytes: 0, caughtUpSeconds: 30 }).kind).toBe('caught-up');
    expect(catchUpEstimate('dms', cdc([null, null, null, null, null, 4]), { caughtUpBytes: 0, caughtUpSeconds: 30 })).toMatchObject({ kind: 'not-enough-samples', samples: 1 });
  });
});
