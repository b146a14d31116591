import { WebClient } from '@slack/web-api';
import type Redis from 'ioredis';
import type { ApprovalRequest } from '../../src/approvals/approval-request';
import type { LagSample } from '../../src/checks/lag-sample';
import type { CutoverRun } from '../../src/cutover/cutover-run';
import { HomePublisher } from '../../src/home/home-publisher';
import { HomeRecipients } from '../../src/home/home-recipients';
import { readHomeState } from '../../src/home/home-state';
import { slackHomeTab } from '../../src/home/slack-home-tab';
import { createLogger } from '../../src/log';
import { MetricRecords } from '../../src/metrics/metric-records';
import { runbookSteps } from '../../src/migration/runbook-steps';
import type { Plan } from '../../src/plan/plan';
import { slackClientOptions } from '../../src/slack/slack-client-options';
import { slackUsergroupDirectory } from '../../src/slack/slack-usergroup-directory';
import { ApprovalStore } from '../../src/state/approval-store';
import { keysFor, type Keys } from '../../src/state/keys';
import { MigrationLock } from '../../src/state/migration-lock';
import { MigrationState } from '../../src/state/migration-state';
import { SampleStore } from '../../src/state/sample-store';
import { CutoverRunStore } from '../../src/cutover/cutover-run';
import { testRedis } from '../support/redis';
import { SlackStandIn } from '../support/slack-stand-in';
import { APPROVERS, APPROVER_GROUP, CHANNEL, OPERATORS, OPERATOR_GROUP, testPlan } from '../support/test-plan';

const NOW = Date.UTC(2026, 10, 30, 3, 0, 0);
const GROUP_MEMBERS = { [OPERATOR_GROUP]: ['U0ONCALL'], [APPROVER_GROUP]: ['U0LEAD', 'U0OPS1'] };
const EVERYONE = [...new Set([...OPERATORS, ...APPROVERS, 'U0ONCALL', 'U0LEAD'])].sort();

let slack: SlackStandIn;
let redis: Redis;

beforeAll(async () => {
  slack = await new SlackStandIn().start();
  for (const [g, m] of Object.entries(GROUP_MEMBERS)) slack.usergroups.set(g, m);
  redis = testRedis();
});
afterAll(async () => {
  redis.disconnect();
  await slack.stop();
});
beforeEach(() => {
  slack.calls.length = 0;
  slack.override('views.publish', undefined);
});

/** The bot's own pieces, on real Redis, talking to the Slack stand-in. */
function world() {
  const plan = testPlan();
  const keys = keysFor(plan.name);
  const logLines: string[] = [];
  const log = createLogger('info', { write: (s: string) => void logLines.push(s) });
  const client = new WebClient('xoxb-test', { ...slackClientOptions({ apiUrl: slack.apiUrl, retryConfig: { retries: 0 } }) });
  const stores = {
    plan,
    migration: new MigrationState(redis, keys, plan),
    runs: new CutoverRunStore(redis, keys.cutoverRun),
    records: new MetricRecords(redis, keys),
    samples: new SampleStore(redis, keys.samples),
    lock: new MigrationLock(redis, keys, 'test-process', { ttlMs: 60_000, handoffMs: 60_000 }),
    approvalStore: new ApprovalStore(redis, keys),
  };
  const publisher = new HomePublisher({
    state: () => readHomeState(stores, NOW),
    recipients: new HomeRecipients(plan.access, slackUsergroupDirectory(client)),
    tab: slackHomeTab(client),
    redis,
    publishedKey: keys.homePublished,
    log,
  });
  return { plan, keys, stores, publisher, logLines };
}

/** The views.publish calls Slack received: who, and the view's blocks as the text a person reads. */
function published() {
  return slack.callsOf('views.publish').map((c) => {
    const view = (typeof c.args.view === 'string' ? JSON.parse(c.args.view) : c.args.view) as { type: string; blocks: unknown[] };
    return { user: String(c.args.user_id), type: view.type, text: JSON.stringify(view.blocks), blocks: view.blocks };
  });
}

function sample(plan: Plan, at: number, lag: number | null): LagSample {
  return { hop: plan.hops[0].id, at, source: { ok: true, ms: 3 }, target: { ok: true, ms: 4 }, heartbeatLagSeconds: lag, sourceClock: at, sourceHeartbeat: null, targetHeartbeat: null, byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null, standby: null, sourceReplicas: null, sourceArchiver: null, targetReplicas: null, targetArchiver: null } as LagSample;
}

function approval(plan: Plan): ApprovalRequest {
  return { id: 'req-1', kind: 'cutover', title: `Cut over ${plan.hops[0].id}`, steps: ['stop writes'], params: { hop: plan.hops[0].id }, requester: 'U0OPS2', requiredApprovals: 2, createdAt: NOW - 60_000, expiresAt: NOW + 30 * 60_000, status: 'pending', approvals: [{ user: 'U0APP1', at: NOW - 30_000 }] };
}

function runAt(plan: Plan, stepIndex: number, status: 'running' | 'done'): CutoverRun {
  const steps = runbookSteps(plan.hops[0]);
  const record = Object.fromEntries(steps.map((s, i) => [s.id, { status: i < stepIndex ? 'done' : i === stepIndex ? status : 'pending', attempts: i <= stepIndex ? 1 : 0 }]));
  return { id: 'run-1', hop: plan.hops[0].id, requester: 'U0OPS1', fence: 1, attempt: 1, owner: 'p', status, steps: record, startedAt: NOW - 120_000 } as CutoverRun;
}

async function recordGates(keys: Keys, hop: string, go: boolean) {
  const results = [
    { id: 'lag.heartbeat', label: 'lag', status: 'ok' as const, source: 'ec2', observedAt: NOW },
    { id: 'hold', label: 'hold', status: go ? ('ok' as const) : ('fail' as const), source: 'bot', observedAt: NOW },
  ];
  await new MetricRecords(redis, keys).recordGates(hop, { go, results, blocking: results.filter((r) => r.status !== 'ok'), at: NOW - 10_000 });
}

describe('App Home: the migration at a glance, published by the leader to the plan’s people', () => {
  test('while streaming with lag: every operator and approver (groups resolved) gets a home view with the hop, gates and a lag sparkline', async () => {
    const { plan, keys, stores, publisher } = world();
    for (let i = 0; i < 20; i++) await stores.samples.add(sample(plan, NOW - (20 - i) * 15_000, i === 7 ? null : i * 0.5));
    await recordGates(keys, plan.hops[0].id, true);

    const outcome = await publisher.refresh();

    expect(outcome.failed).toEqual([]);
    const calls = published();
    expect(calls.map((c) => c.user).sort()).toEqual(EVERYONE);
    expect(new Set(calls.map((c) => c.text)).size).toBe(1);
    const { type, text } = calls[0];
    expect(type).toBe('home');
    expect(text).toContain(`Migration ${plan.name}`);
    expect(text).toContain(`Hop 1: *${plan.hops[0].id}* (physical) Heroku → EC2 — streaming ← current`);
    expect(text).toContain('*Cutover:* not started');
    expect(text).toContain(':large_green_circle: *Gates: GO*');
    expect(text).toContain(':large_green_circle: lag.heartbeat');
    expect(text).toContain('*Lag:* 9.5 s');
    const line = /`([▁▂▃▄▅▆▇█ ]{20})` last 30 min, highest 9\.5 s/.exec(text)?.[1] ?? '';
    expect(line[7]).toBe(' '); // the unknown sample is a gap, not a zero
    expect(line[0]).toBe('▁');
    expect(line[19]).toBe('█');
    expect(text).toContain(':unlock: *Lock:* free');
    expect(text).toContain(':large_green_circle: *Hold:* none');
    expect(text).toContain('*Pending approvals:* none');
  });

  test('a hold on and the lock held: shown with reason and author; a NO-GO verdict names the failing gate', async () => {
    const { plan, keys, stores, publisher } = world();
    await stores.migration.update((m) => ({ next: { ...m, hold: { reason: 'Black Friday', by: 'U0OPS2', at: NOW - 5_000 } }, result: undefined }), NOW);
    await stores.lock.acquire('U0OPS1', 'rehearsing the cutover', NOW - 1_000);
    await recordGates(keys, plan.hops[0].id, false);

    await publisher.refresh();

    const { text } = published()[0];
    expect(text).toContain(':octagonal_sign: *On hold:* \\"Black Friday\\" — <@U0OPS2>');
    expect(text).toContain(':lock: *Lock:* held by <@U0OPS1>');
    expect(text).toContain('rehearsing the cutover');
    expect(text).toContain(':red_circle: *Gates: NO-GO*');
    expect(text).toContain(':red_circle: hold');
    expect(text).toContain('*Lag:* no sample in the last 30 min');
  });

  test('a pending approval links to its message in the channel (permalink from the stored channel and ts)', async () => {
    const { plan, stores, publisher } = world();
    await stores.approvalStore.create(approval(plan));
    await stores.approvalStore.setMessage('req-1', { channel: CHANNEL, ts: '1700000123.000100' });

    await publisher.refresh();

    const { text } = published()[0];
    expect(text).toContain(`<https://example.slack.com/archives/${CHANNEL}/p1700000123000100|Cut over ${plan.hops[0].id}> — 1 of 2 approvals, asked by <@U0OPS2>`);
  });

  test('a cutover running at a step: the step number and title; then done, and every hop done', async () => {
    const { plan, keys, stores, publisher } = world();
    const steps = runbookSteps(plan.hops[0]);
    await redis.set(keys.cutoverRun(plan.hops[0].id), JSON.stringify(runAt(plan, 2, 'running')));
    await stores.migration.update((m) => ({ next: { ...m, hops: { ...m.hops, [plan.hops[0].id]: { status: 'cutting-over' } } }, result: undefined }), NOW);

    await publisher.refresh();
    expect(published()[0].text).toContain(`*Cutover running* since`);
    expect(published()[0].text).toContain(`step 3 of ${steps.length}, ${steps[2].title}`);
    expect(published()[0].text).toContain('— cutting-over ← current');

    slack.calls.length = 0;
    await redis.set(keys.cutoverRun(plan.hops[0].id), JSON.stringify({ ...runAt(plan, steps.length, 'done'), status: 'done', finishedAt: NOW - 1_000 }));
    await stores.migration.update((m) => ({ next: { ...m, hops: Object.fromEntries(plan.hops.map((h) => [h.id, { status: 'done' as const }])), currentHop: plan.hops[1].id }, result: undefined }), NOW);
    await publisher.refresh();
    const { text } = published()[0];
    expect(published()).toHaveLength(EVERYONE.length);
    expect(text).toContain(':tada: *Every hop is cut over.*');
    expect(text).toContain(`:white_check_mark: Hop 2: *${plan.hops[1].id}* (dms) EC2 → Aurora — done`);
    expect(text).toContain(':white_circle: *DMS:* no figures yet');
  });

  test('a DMS hop shows its progress: full load, errored tables, CDC latency', async () => {
    const { plan, keys, stores, publisher } = world();
    await stores.migration.update((m) => ({ next: { ...m, currentHop: plan.hops[1].id, hops: { ...m.hops, [plan.hops[0].id]: { status: 'done' }, [plan.hops[1].id]: { status: 'streaming' } } }, result: undefined }), NOW);
    await redis.set(keys.dmsFigures(plan.hops[1].id), JSON.stringify({ at: NOW - 20_000, fullLoadPercent: 62, tablesErrored: 1, cdcSourceSeconds: 2, cdcTargetSeconds: 4 }));

    await publisher.refresh();

    const { text } = published()[0];
    expect(text).toContain(`*Current hop: ${plan.hops[1].id}*`);
    expect(text).toContain(':red_circle: *DMS:* full load 62% · 1 table errored · CDC latency 2 s source, 4 s target');
  });

  test('nothing changed: no views.publish at all (the hash in Redis matches); a change publishes again', async () => {
    const { plan, stores, publisher } = world();
    await publisher.refresh();
    expect(published()).toHaveLength(EVERYONE.length);

    slack.calls.length = 0;
    const again = await publisher.refresh();
    expect(slack.callsOf('views.publish')).toHaveLength(0);
    expect(again.unchanged.sort()).toEqual(EVERYONE);

    await stores.migration.update((m) => ({ next: { ...m, hold: { reason: 'wait', by: 'U0OPS1', at: NOW } }, result: undefined }), NOW);
    await publisher.refresh();
    expect(published()).toHaveLength(EVERYONE.length);
    expect(published()[0].text).toContain('wait');
    expect(plan.hops).toHaveLength(2);
  });

  test('a Slack failure is logged once, blocks nothing, and that person is published again at the next refresh', async () => {
    const { stores, publisher, logLines } = world();
    slack.override('views.publish', (args) => (args.user_id === 'U0APP2' ? { status: 200, body: { ok: false, error: 'fatal_error' } } : undefined));

    const first = await publisher.refresh();
    expect(first.failed).toEqual(['U0APP2']);
    expect(first.published).toHaveLength(EVERYONE.length - 1);
    const failures = () => logLines.filter((l) => l.includes('views.publish failed'));
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toContain('U0APP2');

    slack.calls.length = 0;
    const second = await publisher.refresh();
    expect(second.failed).toEqual(['U0APP2']);
    expect(failures()).toHaveLength(1); // the same failure is not logged every tick

    slack.override('views.publish', undefined);
    slack.calls.length = 0;
    await stores.migration.update((m) => ({ next: { ...m, hold: { reason: 'change', by: 'U0OPS1', at: NOW } }, result: undefined }), NOW);
    const third = await publisher.refresh();
    expect(third.failed).toEqual([]);
    expect(third.published).toContain('U0APP2');
    expect(logLines.some((l) => l.includes('published again') && l.includes('U0APP2'))).toBe(true);
  });

  test('a user group Slack cannot resolve is logged, and the people named directly still get the view', async () => {
    const { publisher, logLines } = world();
    slack.usergroups.delete(APPROVER_GROUP);
    try {
      const outcome = await publisher.refresh();
      expect(outcome.published).not.toContain('U0LEAD');
      expect(outcome.published).toContain('U0APP1');
      expect(logLines.some((l) => l.includes('could not resolve a user group') && l.includes(APPROVER_GROUP))).toBe(true);
    } finally {
      slack.usergroups.set(APPROVER_GROUP, GROUP_MEMBERS[APPROVER_GROUP]);
    }
  });
});
