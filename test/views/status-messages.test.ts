import type { CheckResult } from '../../src/checks/check-result';
import { lagChecks } from '../../src/checks/lag-checks';
import type { DmsReport } from '../../src/dms/dms-report';
import type { DmsTableStat } from '../../src/dms/dms-port';
import { summariseTables } from '../../src/dms/table-summary';
import { sequenceGateResult } from '../../src/sequences/sequence-gate';
import type { SequenceAudit } from '../../src/sequences/sequence-audit';
import { dmsStatusView } from '../../src/views/dms-view';
import { healthView } from '../../src/views/health-view';
import { checkLine, STATUS_ICON } from '../../src/views/lag-view';
import { sequencesCheckView } from '../../src/views/sequences-view';
import { testPlan } from '../support/test-plan';

const plan = testPlan();
const [physical, dms] = plan.hops;
const now = Date.UTC(2026, 10, 30, 3, 0, 0);
const check = (c: Partial<CheckResult>): CheckResult => ({ id: 'x', label: 'Source heroku reachable', status: 'ok', source: 'source heroku', observedAt: now, ...c });
const text = (blocks: unknown) => JSON.stringify(blocks);

describe('gate lines', () => {
  test('a gate with nothing more to say has no dangling colon', () => {
    expect(checkLine(check({}))).toBe(':large_green_circle: *Source heroku reachable*');
    expect(checkLine(check({ value: '2 s' }))).toBe(':large_green_circle: *Source heroku reachable:* 2 s');
  });

  test('a hold names its author as a mention, once, with the reason', () => {
    const line = checkLine(check({ id: 'hold', label: 'Hold', status: 'fail', value: 'on hold', by: 'U0BOB', detail: '"waiting for the DBA"' }));
    expect(line).toBe(':red_circle: *Hold:* on hold by <@U0BOB> — "waiting for the DBA"');
    expect(line).not.toMatch(/on hold.*on hold/);
  });

  test('every gate in `health` shows its age, a fresh one as "just now"', () => {
    const results = [check({ observedAt: now }), check({ id: 'y', label: 'Error tracker', observedAt: now - 120_000 })];
    const out = text(healthView(physical, { go: true, blocking: [], results, at: now } as never).blocks);
    expect(out).toContain('*Source heroku reachable* _(just now)_');
    expect(out).toContain('*Error tracker* _(2 min old)_');
  });

  test('the missing-heartbeat hint names the hop `/migrate setup` needs', () => {
    const sample = { at: now, source: { ok: true }, target: { ok: true }, heartbeatLagSeconds: null, sourceHeartbeat: undefined } as never;
    const hb = lagChecks(sample, physical).find((c) => c.id === 'lag.heartbeat');
    expect(hb?.detail).toContain(`\`/migrate setup ${physical.id}\``);
  });
});

describe('sequences: one verdict for one state', () => {
  const behind: SequenceAudit = {
    findings: [{ sequence: 'public.orders_id_seq', columns: [], increment: 1n, next: 5n, extreme: 90n, problems: ['behind'] } as never],
    missingDefaults: [], identityToAlways: [], checkedAt: now,
  };
  test.each([physical.id, dms.id])('%s: `sequences check` shows the icon `health` shows', (id) => {
    const hop = plan.hops.find((h) => h.id === id)!;
    const gate = sequenceGateResult(hop.method, hop.target.id, behind);
    const verdict = (sequencesCheckView(hop, behind).blocks[1] as { text: { text: string } }).text.text;
    expect(verdict.startsWith(STATUS_ICON[gate.status])).toBe(true);
  });
});

describe('DMS status', () => {
  const row = (table: string, state: string): DmsTableStat => ({ schema: 'public', table, state, fullLoadRows: 0 }) as DmsTableStat;
  const report = (over: Partial<DmsReport>): DmsReport => ({
    hop: dms.id, at: now,
    task: { id: 'test-task', status: 'running', migrationType: 'full-load-and-cdc', fullLoadPercent: 40, tablesLoaded: 0, tablesLoading: 1, tablesQueued: 2, tablesErrored: 0 } as never,
    ...over,
  });

  test('tables not loaded yet are split into loading and queued, as the task counts them', () => {
    const out = text(dmsStatusView(report({ tables: summariseTables([row('a', 'Full load'), row('b', 'Before load'), row('c', 'Before load')]) })).blocks);
    expect(out).toContain('0 loaded · 1 loading · 2 queued');
    expect(out).toContain('*Not loaded yet:* 3 (1 loading, 2 queued)');
    expect(out).not.toContain('Still loading');
  });

  test('a fast load reads its pace per minute, not "1141.2%/h"', () => {
    const out = text(dmsStatusView(report({ eta: { etaMs: 4 * 60_000, ratePerHour: 1141.2 } })).blocks);
    expect(out).toContain('*ETA:* about 4 min (loading 19.0% a minute lately)');
    expect(out).not.toContain('%/h');
  });
});
