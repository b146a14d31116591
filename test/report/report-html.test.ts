import type { ApprovalRequest } from '../../src/approvals/approval-request';
import type { BenchResult } from '../../src/bench/bench-result';
import type { LagSample } from '../../src/checks/lag-sample';
import type { CutoverRun } from '../../src/cutover/cutover-run';
import { runbookSteps } from '../../src/migration/runbook-steps';
import { AUDIT_CAP, gatherReport, type ReportSources } from '../../src/report/gather-report';
import { reportHtml } from '../../src/report/report-html';
import type { AuditRecord } from '../../src/state/audit-log';
import { initialMigration } from '../../src/state/migration-state';
import { testPlan } from '../support/test-plan';
import { all, attr, byId, byTag, parseHtml, tableRows, text } from './parsed-html';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const EVIL = `<script>alert("x")</script> & <img src=x onerror=alert(1)>`;

function sample(hop: string, at: number, lag: number | null): LagSample {
  const reach = { ok: true, ms: 3 };
  return { hop, at, source: reach, target: reach, heartbeatLagSeconds: lag, sourceClock: at, sourceHeartbeat: null, targetHeartbeat: null, byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null, standby: null, sourceReplicas: null, sourceArchiver: null, targetReplicas: null, targetArchiver: null };
}

/** A history where every free text a person or a database wrote carries markup. */
function sources(audit: AuditRecord[]): ReportSources {
  const plan = testPlan();
  const hop = plan.hops[0];
  const steps = runbookSteps(hop);
  const run: CutoverRun = {
    id: 'run-1', hop: hop.id, requester: 'U0OPS1', fence: 3, attempt: 1, owner: 'p1', status: 'done', startedAt: T0, finishedAt: T0 + 95_000, writesStoppedAt: T0 + 20_000, appBackAt: T0 + 62_000,
    steps: Object.fromEntries(steps.map((s, i) => [s.id, { status: 'done', startedAt: T0 + i * 5000, finishedAt: T0 + i * 5000 + 4000, attempts: 1, result: i === 0 ? `ran ${EVIL}` : 'ok' }])),
    warnings: [{ step: steps[1].id, text: `archiving off ${EVIL}`, at: T0 + 90_000 }],
  };
  const approval: ApprovalRequest = {
    id: 'ap-1', kind: 'cutover', title: `Cut over ${hop.id} ${EVIL}`, steps: [], params: {}, requester: 'U0OPS1', requiredApprovals: 2, createdAt: T0 - 60_000, expiresAt: T0 + 600_000, status: 'approved',
    code: { filename: 'fix.sql', text: `SELECT setval('public.orders_id_seq', 801); -- ${EVIL}`, statements: 1, sha256: 'ab' },
    approvals: [{ user: 'U0APP1', at: T0 - 30_000 }, { user: 'U0APP2', at: T0 - 10_000 }], run: { status: 'succeeded', startedAt: T0, finishedAt: T0 + 95_000, result: 'cut over' },
  };
  const bench: BenchResult = {
    hop: hop.id, source: hop.source.id, target: hop.target.id, user: 'U0OPS1', startedAt: T0 - 86_400_000, finishedAt: T0 - 86_300_000, runs: 30, warmup: 3, concurrency: 2, maxRatio: 1.5, compare: 'p95', verdict: 'no-go',
    queries: [
      { name: `orders by customer ${EVIL}`, source: { runs: 30, p50: 1.2, p95: 2, p99: 2.5 }, target: { runs: 30, p50: 6, p95: 9, p99: 12 }, ratio: { p50: 5, p95: 4.5, p99: 4.8 }, verdict: 'no-go', why: "p95 on the target is 4.50× the source's, over the plan's max_ratio 1.5" },
      { name: 'count', source: { runs: 30, p50: 1, p95: 1, p99: 1 }, target: { runs: 30, p50: 1, p95: 1.1, p99: 1.2 }, ratio: { p50: 1, p95: 1.1, p99: 1.2 }, verdict: 'go' },
    ],
  };
  return {
    plan,
    steps: runbookSteps,
    errorRatesBetween: async (from, to) => Array.from({ length: 20 }, (_, i) => ({ at: T0 - 300_000 + i * 60_000, perMinute: i === 8 ? 9 : 1, baselinePerMinute: 1.2, status: i === 8 ? ('fail' as const) : ('ok' as const) })).filter((r) => r.at >= from && r.at <= to),
    benches: async (h) => (h === hop.id ? [bench] : []),
    recentAudit: async (n) => audit.slice(0, n),
    approval: async (id) => (id === 'ap-1' ? approval : undefined),
    run: async (h) => (h === hop.id ? run : undefined),
    samplesBetween: async (h, from, to) => (h === hop.id ? Array.from({ length: 120 }, (_, i) => sample(h, T0 - 600_000 + i * 10_000, i % 17 === 0 ? null : (i % 30) / 3)).filter((s) => s.at >= from && s.at <= to) : []),
    fullVerify: async (h) => (h === hop.id ? { runId: 'fv-1', hop: h, status: 'done', startedAt: T0 - 900_000, finishedAt: T0 - 800_000, tables: 12, rows: 34567, differences: 0, differingTables: 0, inFlight: 2 } : undefined),
    openIncidents: async () => [{ key: `${hop.id}:lag`, since: T0 + 100_000, firedAt: T0 + 220_000, summary: `still lagging ${EVIL}` }],
    resolvedIncidents: async () => [{ key: `${hop.id}:target-unreachable`, summary: `Target *ec2* does not answer: ${EVIL}`, since: T0 - 300_000, firedAt: T0 - 300_000, resolvedAt: T0 - 180_000 }],
    migration: async () => initialMigration(plan),
  };
}

// Newest first, as AuditLog.recent answers.
const AUDIT: AuditRecord[] = [
  { id: '6', at: T0 + 200_000, actor: 'U0OPS2', action: 'command unhold', outcome: 'ok', detail: `Rollbar ${EVIL}` },
  { id: '5', at: T0 + 150_000, actor: 'U0OPS1', action: 'command verify', outcome: 'ok', detail: 'hop-one' },
  { id: '4', at: T0 + 120_000, actor: 'U0OPS2', action: 'command hold', outcome: 'ok', detail: `Rollbar ${EVIL}` },
  { id: '3', at: T0 - 60_000, actor: 'U0OPS1', action: 'approval requested: Cut over', outcome: 'ok', detail: 'ap-1' },
  { id: '2', at: T0 - 70_000, actor: 'U0OPS1', action: 'command sequences', outcome: 'ok', detail: `fix needed ${EVIL}` },
  { id: '1', at: T0 - 80_000, actor: 'U0OPS1', action: 'command hold', outcome: 'refused', detail: 'not placed' },
];

describe('the migration report as HTML', () => {
  test('holds each hop\'s timeline and downtime, the approvers, holds, incidents, sequences and verifies, and the lag chart as an embedded PNG', async () => {
    const data = await gatherReport(sources(AUDIT), T0 + 300_000);
    const doc = parseHtml(reportHtml(data));
    expect(text(byTag(doc, 'title')[0])).toMatch(/^Migration report: /);
    expect(tableRows(byId(doc, 'summary'))[0]).toEqual(['heroku-to-ec2', expect.stringContaining('→'), expect.any(String), 'done', '42 s']);
    const hop = byId(doc, 'hop-heroku-to-ec2');
    expect(text(all(hop, (n) => attr(n, 'class') === 'downtime')[0])).toBe('Downtime: 42 s');
    expect(tableRows(hop).map((r) => r[1])).toEqual(runbookSteps(testPlan().hops[0]).map((s) => s.title));
    const [img, errorRate] = byTag(hop, 'img');
    expect(attr(errorRate, 'alt')).toBe('Error rate around heroku-to-ec2');
    expect(Buffer.from(attr(errorRate, 'src')!.replace(/^data:image\/png;base64,/, ''), 'base64').subarray(1, 4).toString()).toBe('PNG');
    const png = Buffer.from(attr(img, 'src')!.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(text(all(byId(doc, 'approvals'), (n) => attr(n, 'class') === 'approver')[0])).toBe('U0APP1');
    expect(tableRows(byId(doc, 'approvals'))[0][4]).toMatch(/U0APP1 2026-11-30 08:59:30 UTC\s*U0APP2 2026-11-30 08:59:50 UTC/);
    expect(tableRows(byId(doc, 'holds'))).toEqual([[`Rollbar ${EVIL}`, 'U0OPS2', '2026-11-30 09:02:00 UTC', 'U0OPS2 2026-11-30 09:03:20 UTC', '1 min']]);
    expect(tableRows(byId(doc, 'incidents')).map((r) => [r[0], r[4], r[5]])).toEqual([['heroku-to-ec2:target-unreachable', '2026-11-30 08:57:00 UTC', '2 min'], ['heroku-to-ec2:lag', 'still open', '3 min']]);
    expect(tableRows(byId(doc, 'incidents'))[0][1]).toBe(`Target ec2 does not answer: ${EVIL}`);
    expect(tableRows(byId(doc, 'sequences'))).toEqual([[expect.any(String), 'U0OPS1', 'command sequences', 'ok', `fix needed ${EVIL}`]]);
    const benchSection = byId(doc, 'bench');
    expect(tableRows(benchSection).map((r) => [r[0], r[4]])).toEqual([[`orders by customer ${EVIL}`, "NO-GO p95 on the target is 4.50× the source's, over the plan's max_ratio 1.5"], ['count', 'GO']]);
    expect(text(byTag(benchSection, 'h3')[0])).toMatch(/: NO-GO$/);
    expect(attr(byTag(benchSection, 'img')[0], 'src')).toMatch(/^data:image\/png;base64,/);
    expect(tableRows(byId(doc, 'verify'))[0]).toEqual(['heroku-to-ec2', 'fv-1', 'done', '—', expect.any(String), '12', '34567', '0', '2']);
  });

  test('a reason, title, step result or SQL holding <script> is shown as text: the file has no script, no handler, and loads nothing', async () => {
    const html = reportHtml(await gatherReport(sources(AUDIT), T0 + 300_000));
    const doc = parseHtml(html);
    expect(byTag(doc, 'script')).toEqual([]);
    expect(all(doc, (n) => (n.attrs ?? []).some((a) => a.name.startsWith('on')))).toEqual([]);
    expect(byTag(doc, 'img').map((i) => attr(i, 'src')!.slice(0, 22))).toEqual(['data:image/png;base64,', 'data:image/png;base64,', 'data:image/png;base64,']);
    expect(byTag(doc, 'link')).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    const shown = text(doc);
    expect(shown).toContain(`Rollbar ${EVIL}`);
    expect(shown).toContain(`Cut over heroku-to-ec2 ${EVIL}`);
    expect(shown).toContain(`ran ${EVIL}`);
    expect(text(byTag(byId(doc, 'approvals'), 'pre')[0])).toBe(`SELECT setval('public.orders_id_seq', 801); -- ${EVIL}`);
    expect(shown).toContain(`archiving off ${EVIL}`);
  });

  test('a long audit log is read only to its cap, and the report says what was left out', async () => {
    const many: AuditRecord[] = Array.from({ length: AUDIT_CAP + 50 }, (_, i) => ({ id: String(i), at: T0 - i * 1000, actor: 'U0X', action: 'command status', outcome: 'ok' }));
    const src = sources(many);
    const asked: number[] = [];
    const data = await gatherReport({ ...src, recentAudit: async (n) => (asked.push(n), many.slice(0, n)) }, T0);
    expect(asked).toEqual([AUDIT_CAP]);
    expect(data.leftOut[0]).toMatch(new RegExp(`only the newest ${AUDIT_CAP} entries were read`));
    expect(text(byId(parseHtml(reportHtml(data)), 'left-out'))).toContain(`only the newest ${AUDIT_CAP} entries`);
    const short = await gatherReport(sources(AUDIT), T0);
    expect(short.leftOut).toEqual([]);
  });
});
