import { lagConditions } from '../../src/alerts/lag-conditions';
import type { LagSample } from '../../src/checks/lag-sample';
import { dmsConditions } from '../../src/dms/dms-conditions';
import { buildReport } from '../../src/dms/dms-report';
import { replicationPlan } from '../support/replication-plan';

const hop = replicationPlan({ maxLagSeconds: 30 }).hops[0];
const at = 1_800_000_000_000;

function sample(over: Partial<LagSample> = {}): LagSample {
  return {
    hop: hop.id, at, source: { ok: true, ms: 1 }, target: { ok: true, ms: 1 },
    heartbeatLagSeconds: 0.5, sourceClock: at, sourceHeartbeat: { seq: 10, at: at - 1000 }, targetHeartbeat: { seq: 10, at: at - 1000 },
    byteLag: 100, receiveBacklogBytes: 0, replayBacklogBytes: 100,
    standby: { inRecovery: true, receiveLsn: '0/10', replayLsn: '0/10', replayPaused: false, lastReplayAt: at, feed: 'streaming' },
    sourceReplicas: 'hidden', sourceArchiver: null, targetReplicas: null, targetArchiver: null,
    ...over,
  };
}

const active = (s: LagSample) => lagConditions(s, hop, { heartbeatStallMs: 60_000 }).filter((o) => o.active).map((o) => o.key.split(':')[1]);

describe('lag alert conditions', () => {
  test('a healthy streaming standby raises none', () => {
    expect(active(sample())).toEqual([]);
  });

  test('each fault raises its own condition', () => {
    expect(active(sample({ standby: { ...sample().standby!, inRecovery: false } }))).toEqual(['left-recovery']);
    expect(active(sample({ standby: { ...sample().standby!, feed: 'down' } }))).toEqual(['receiver-down']);
    expect(active(sample({ standby: { ...sample().standby!, replayPaused: true } }))).toEqual(['replay-paused']);
    expect(active(sample({ heartbeatLagSeconds: 45 }))).toEqual(['lag']);
    expect(active(sample({ byteLag: 10 * 1024 ** 3 }))).toEqual(['lag']);
    expect(active(sample({ sourceHeartbeat: { seq: 10, at: at - 120_000 } }))).toEqual(['heartbeat-stalled']);
    expect(active(sample({ source: { ok: false, ms: 3000, error: 'timeout' }, heartbeatLagSeconds: null }))).toEqual(['source-unreachable']);
    expect(active(sample({ target: { ok: false, ms: 3000, error: 'ECONNREFUSED' }, heartbeatLagSeconds: null, standby: null, byteLag: null }))).toEqual(['target-unreachable']);
  });

  test('archiving failing: a failure newer than the last success, on either end', () => {
    const archiver = { mode: 'on', command: 'cp %p /archive/%f', archived: 10, failed: 2, lastArchivedAt: at - 60_000, lastFailedAt: at - 1000 };
    expect(active(sample({ sourceArchiver: archiver }))).toEqual(['archiving-failing']);
    expect(active(sample({ targetArchiver: archiver }))).toEqual(['archiving-failing']);
    expect(active(sample({ sourceArchiver: { ...archiver, lastArchivedAt: at } }))).toEqual([]);
  });

  test('an archive-fed standby with no WAL receiver is not an incident', () => {
    expect(active(sample({ standby: { ...sample().standby!, feed: 'archive', receiveLsn: null } }))).toEqual([]);
  });
});

describe('DMS alert conditions', () => {
  const task = { arn: 'arn:t', id: 't', status: 'running', migrationType: 'full-load-and-cdc', fullLoadPercent: 40 };
  const rules = { staleMs: 15 * 60_000, apiGraceMs: 5 * 60_000 };
  const activeDms = (r: ReturnType<typeof buildReport>, expectRunning = true) => dmsConditions(r, expectRunning, rules).filter((o) => o.active).map((o) => o.key.split(':')[1]);

  test('a full load stuck at the same percent for the stale period alerts; moving again, it does not', () => {
    const stuck = buildReport('hop', at, task, [], [{ at: at - 20 * 60_000, percent: 40 }, { at: at - 10 * 60_000, percent: 40 }, { at, percent: 40 }]);
    expect(activeDms(stuck)).toEqual(['dms-stalled']);
    const moving = buildReport('hop', at, task, [{ ...{ schema: 'p', table: 't', state: 'Full load', fullLoadRows: 1, inserts: 0, updates: 0, deletes: 0, fullLoadErrorRows: 0, validationFailed: 0, validationPending: 0, validationSuspended: 0 } }], [{ at: at - 20 * 60_000, percent: 30 }, { at, percent: 40 }]);
    expect(activeDms(moving)).toEqual([]);
  });

  test('a task stopped on purpose by the cutover is not "not running"', () => {
    const stopped = buildReport('hop', at, { ...task, status: 'stopped', fullLoadPercent: 100 }, [], []);
    expect(activeDms(stopped, true)).toEqual(['dms-not-running']);
    expect(activeDms(stopped, false)).toEqual([]);
  });

  test('throttling alerts only after its grace; access denied at once', () => {
    const throttled = dmsConditions({ hop: 'hop', at, error: { kind: 'throttled', code: 'ThrottlingException', message: 'Rate exceeded' } }, true, rules)[0];
    expect(throttled).toMatchObject({ active: true, graceMs: rules.apiGraceMs });
    const denied = dmsConditions({ hop: 'hop', at, error: { kind: 'access-denied', code: 'AccessDeniedFault', message: 'no' } }, true, rules)[0];
    expect(denied).toMatchObject({ active: true, graceMs: 0 });
  });
});
