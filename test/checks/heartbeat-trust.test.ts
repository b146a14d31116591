import { heartbeatDistrust, targetHeartbeatSince } from '../../src/checks/heartbeat-trust';
import { showsHeartbeat } from '../../src/checks/heartbeat';
import { lagChecks } from '../../src/checks/lag-checks';
import type { LagSample } from '../../src/checks/lag-sample';
import { parsePlan } from '../../src/plan/load-plan';

const hop = parsePlan(`
name: demo
channel: C0CHAN
databases: { heroku: { url_env: A_URL }, ec2: { url_env: B_URL } }
hops: [{ id: one, method: logical, source: heroku, target: ec2, subscription: sub, thresholds: { max_lag_seconds: 600 } }]
alerts: { heartbeat_stall_seconds: 60 }
access: { operators: [U0OPS], approvers: [U0APP] }
`).hops[0];

const T0 = 1_700_000_000_000;
function sample(over: { clock: number; source: [number, number]; target: [number, number] | null; since?: number }): LagSample {
  const [sSeq, sAt] = over.source;
  const target = over.target && { seq: over.target[0], at: over.target[1] };
  return {
    hop: 'one', at: over.clock, source: { ok: true, ms: 1 }, target: { ok: true, ms: 1 },
    heartbeatLagSeconds: !target ? null : target.seq >= sSeq ? 0 : (over.clock - target.at) / 1000,
    sourceClock: over.clock, sourceHeartbeat: { seq: sSeq, at: sAt }, targetHeartbeat: target, targetHeartbeatSince: over.since,
    byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null, standby: null, sourceReplicas: null, sourceArchiver: null, targetReplicas: null, targetArchiver: null,
  };
}
const lagCheck = (s: LagSample, promoted = false) => lagChecks(s, hop, promoted).find((c) => c.id === 'lag.heartbeat')!;

describe('finding 4: a heartbeat that does not advance is never read as zero lag', () => {
  test('the writer stopped: both ends hold the same old heartbeat, and the lag check fails with the reason, not "0.0 s"', () => {
    const s = sample({ clock: T0 + 95_000, source: [40, T0], target: [40, T0] });
    const c = lagCheck(s);
    expect(c.status).toBe('fail');
    expect(c.value).toBeUndefined();
    expect(c.detail).toBe("the heartbeat on heroku has not advanced for 95 s (limit 60 s): lag cannot be measured; is the bot's heartbeat job running?");
  });

  test('a heartbeat just inside the limit is trusted', () => {
    expect(lagCheck(sample({ clock: T0 + 59_000, source: [40, T0], target: [40, T0] }))).toMatchObject({ status: 'ok', value: '0.0 s' });
  });

  test('the target stuck on one heartbeat while the source advances fails past the limit, even with a generous max lag', () => {
    const stuck = sample({ clock: T0 + 90_000, source: [58, T0 + 88_000], target: [40, T0], since: T0 + 5000 });
    expect(lagCheck(stuck)).toMatchObject({ status: 'fail', detail: 'the heartbeat on ec2 has not advanced for 85 s while the one on heroku did (limit 60 s): replication to ec2 looks stopped' });
    const young = sample({ clock: T0 + 30_000, source: [46, T0 + 28_000], target: [40, T0], since: T0 + 5000 });
    expect(lagCheck(young)).toMatchObject({ status: 'ok', value: '30 s' });
  });

  test('a target holding a heartbeat the source never wrote (table reset) fails instead of reading zero', () => {
    const c = lagCheck(sample({ clock: T0 + 2000, source: [3, T0 + 1000], target: [5000, T0 - 3_600_000] }));
    expect(c.status).toBe('fail');
    expect(c.detail).toMatch(/^ec2 holds heartbeat #5000 but the newest on heroku is #3: .*lag cannot be measured$/);
    // A heartbeat written between the two reads is newer on both counts: a race, not a reset.
    expect(heartbeatDistrust(sample({ clock: T0 + 2000, source: [3, T0 + 1000], target: [4, T0 + 1900] }), hop)).toBeUndefined();
  });

  test('after the cutover nobody writes the old source\'s heartbeat: no stale verdict', () => {
    expect(lagCheck(sample({ clock: T0 + 95_000, source: [40, T0], target: [40, T0] }), true).status).toBe('ok');
  });

  test("how long the target has held its heartbeat is carried from sample to sample and restarts when it moves", () => {
    const first = sample({ clock: T0 + 1000, source: [41, T0 + 900], target: [40, T0] });
    expect(targetHeartbeatSince(first, undefined)).toBe(T0 + 1000);
    const held = { ...first, targetHeartbeatSince: T0 + 1000 };
    const later = sample({ clock: T0 + 16_000, source: [44, T0 + 15_000], target: [40, T0] });
    expect(targetHeartbeatSince(later, held)).toBe(T0 + 1000);
    const moved = sample({ clock: T0 + 31_000, source: [47, T0 + 30_000], target: [45, T0 + 26_000] });
    expect(targetHeartbeatSince(moved, { ...later, targetHeartbeatSince: T0 + 1000 })).toBe(T0 + 31_000);
    expect(targetHeartbeatSince({ ...moved, targetHeartbeat: null }, held)).toBeUndefined();
  });
});

describe('whether the target shows a heartbeat just written (the fence, the full verify)', () => {
  const beat = { seq: 7, at: Date.parse('2026-11-30T12:00:00.123Z') };
  test('that one or a later one: yes, also when the target keeps it to the second', () => {
    expect(showsHeartbeat(beat, beat)).toBe(true);
    expect(showsHeartbeat({ seq: 9, at: beat.at + 5000 }, beat)).toBe(true);
    expect(showsHeartbeat({ seq: 7, at: Date.parse('2026-11-30T12:00:00Z') }, beat)).toBe(true);
  });
  test('an older one, none, or a higher number from before the heartbeat table was set up again: no', () => {
    expect(showsHeartbeat({ seq: 6, at: beat.at - 2000 }, beat)).toBe(false);
    expect(showsHeartbeat(undefined, beat)).toBe(false);
    expect(showsHeartbeat({ seq: 999_999, at: beat.at - 3600_000 }, beat)).toBe(false);
  });
});
