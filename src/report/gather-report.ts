import type { ApprovalRequest } from '../approvals/approval-request';
import type { BenchResult } from '../bench/bench-result';
import type { LagSample } from '../checks/lag-sample';
import type { CutoverRun } from '../cutover/cutover-run';
import type { Incident } from '../alerts/incident';
import type { Hop, Plan } from '../plan/plan';
import type { AuditRecord } from '../state/audit-log';
import type { ErrorRateSample } from '../state/error-rate-store';
import type { ResolvedIncident } from '../state/incident-store';
import type { MigrationRecord } from '../state/migration-state';
import type { FullVerifySummary } from '../verify/full/full-verify-store';

/** How much of the audit log a report reads: the newest entries, the rest is said to be left out. */
export const AUDIT_CAP = 5000;
/** Samples charted around a cutover: this long before it started and after it finished. */
export const SAMPLE_MARGIN_MS = 15 * 60_000;
export const SAMPLE_CAP = 5000;
export const INCIDENT_CAP = 500;
export const APPROVAL_CAP = 200;

/** One hop as the report shows it: its runbook, its latest cutover run, the lag around it, its last full verify. */
export interface HopReport {
  hop: Hop;
  steps: { id: string; title: string }[];
  run?: CutoverRun;
  /** From writes stopped to writes back, when both happened. */
  downtimeMs?: number;
  samples: LagSample[];
  /** The sample window was read only up to the cap: later samples are left out. */
  samplesCapped: boolean;
  fullVerify?: FullVerifySummary;
  /** The kept latency benches of the hop, newest first. */
  benches: BenchResult[];
  /** The app's error-rate readings around the hop's cutover (none for a hop not cut over: the rate is the app's, not the hop's). */
  errorRates: ErrorRateSample[];
}

export interface HoldRecord {
  reason: string;
  by: string;
  at: number;
  liftedBy?: string;
  liftedAt?: number;
}

export interface IncidentRecord {
  key: string;
  summary: string;
  since: number;
  firedAt?: number;
  /** Undefined while it is still open. */
  resolvedAt?: number;
}

/** Everything the report shows, read from Redis: nothing in it is written by hand. */
export interface ReportData {
  plan: Plan;
  generatedAt: number;
  hops: HopReport[];
  approvals: ApprovalRequest[];
  holds: HoldRecord[];
  incidents: IncidentRecord[];
  /** Audit entries about sequences (checks, fixes) and verifies, oldest first. */
  sequences: AuditRecord[];
  verifies: AuditRecord[];
  /** What the bounded reads left out, in words; empty when nothing was. */
  leftOut: string[];
}

/** The reads the gatherer makes: narrow, so a test can see what it is given. */
export interface ReportSources {
  plan: Plan;
  steps(hop: Hop): { id: string; title: string }[];
  recentAudit(count: number): Promise<AuditRecord[]>;
  approval(id: string): Promise<ApprovalRequest | undefined>;
  run(hop: string): Promise<CutoverRun | undefined>;
  samplesBetween(hop: string, from: number, to: number, max: number): Promise<LagSample[]>;
  fullVerify(hop: string): Promise<FullVerifySummary | undefined>;
  errorRatesBetween(from: number, to: number, max: number): Promise<ErrorRateSample[]>;
  /** The kept benches of a hop, newest first (the bench store keeps a few). */
  benches(hop: string): Promise<BenchResult[]>;
  openIncidents(): Promise<Incident[]>;
  resolvedIncidents(count: number): Promise<ResolvedIncident[]>;
  migration(): Promise<MigrationRecord>;
}

/** Reads the migration's history from its stores, every read bounded, and says what the bounds left out. */
export async function gatherReport(src: ReportSources, now: number): Promise<ReportData> {
  const leftOut: string[] = [];
  const audit = (await src.recentAudit(AUDIT_CAP)).reverse();
  if (audit.length >= AUDIT_CAP) leftOut.push(`audit log: only the newest ${AUDIT_CAP} entries were read (from ${new Date(audit[0].at).toISOString()}); older approvals, holds, sequence and verify entries are not in this report`);

  const hops = await Promise.all(src.plan.hops.map((hop) => hopReport(src, hop, now)));
  for (const h of hops) if (h.samplesCapped) leftOut.push(`${h.hop.id}: only the first ${SAMPLE_CAP} lag samples or error-rate readings of the window were charted`);

  const approvalIds = audit.filter((e) => e.action.startsWith('approval requested') && e.outcome === 'ok' && e.detail).map((e) => e.detail as string);
  if (approvalIds.length > APPROVAL_CAP) leftOut.push(`approvals: only the newest ${APPROVAL_CAP} of ${approvalIds.length} requests are shown`);
  const approvals = (await Promise.all(approvalIds.slice(-APPROVAL_CAP).map((id) => src.approval(id)))).filter((a): a is ApprovalRequest => a !== undefined);
  const expired = Math.min(approvalIds.length, APPROVAL_CAP) - approvals.length;
  if (expired > 0) leftOut.push(`approvals: ${expired} older requests are no longer kept in Redis (closed requests are kept a week)`);

  const [open, resolved, migration] = await Promise.all([src.openIncidents(), src.resolvedIncidents(INCIDENT_CAP), src.migration()]);
  if (resolved.length >= INCIDENT_CAP) leftOut.push(`incidents: only the newest ${INCIDENT_CAP} resolved incidents are shown`);
  const incidents: IncidentRecord[] = [...resolved, ...open.map((i) => ({ key: i.key, summary: i.summary, since: i.since, firedAt: i.firedAt }))].sort((a, b) => (a.firedAt ?? a.since) - (b.firedAt ?? b.since));

  return {
    plan: src.plan,
    generatedAt: now,
    hops,
    approvals,
    holds: holdsFrom(audit, migration),
    incidents,
    sequences: audit.filter((e) => /sequences/.test(e.action) && !e.action.startsWith('approval requested')),
    verifies: audit.filter((e) => /^command verify/.test(e.action)),
    leftOut,
  };
}

async function hopReport(src: ReportSources, hop: Hop, now: number): Promise<HopReport> {
  const [run, fullVerify, benches] = await Promise.all([src.run(hop.id), src.fullVerify(hop.id), src.benches(hop.id)]);
  const from = (run?.startedAt ?? now) - SAMPLE_MARGIN_MS;
  const to = run ? Math.min(now, (run.finishedAt ?? now) + SAMPLE_MARGIN_MS) : now;
  const [samples, errorRates] = await Promise.all([src.samplesBetween(hop.id, from, to, SAMPLE_CAP), run ? src.errorRatesBetween(from, to, SAMPLE_CAP) : []]);
  const downtimeMs = run?.writesStoppedAt !== undefined && run.appBackAt !== undefined ? run.appBackAt - run.writesStoppedAt : undefined;
  return { hop, steps: src.steps(hop), run, downtimeMs, samples, samplesCapped: samples.length >= SAMPLE_CAP || errorRates.length >= SAMPLE_CAP, fullVerify, benches, errorRates };
}

/** Holds from the audit log (a `hold` placed, an `unhold` lifting it), plus the one in place now. */
export function holdsFrom(auditOldestFirst: AuditRecord[], migration: MigrationRecord): HoldRecord[] {
  const holds: HoldRecord[] = [];
  for (const e of auditOldestFirst) {
    if (e.outcome !== 'ok') continue;
    if (e.action === 'command hold') holds.push({ reason: e.detail ?? '', by: e.actor, at: e.at });
    if (e.action === 'command unhold' && e.detail !== 'no hold') {
      const open = [...holds].reverse().find((h) => h.liftedAt === undefined);
      if (open) Object.assign(open, { liftedBy: e.actor, liftedAt: e.at });
    }
  }
  const current = migration.hold;
  if (current && !holds.some((h) => h.liftedAt === undefined && h.reason === current.reason)) holds.push({ reason: current.reason, by: current.by, at: current.at });
  return holds;
}
