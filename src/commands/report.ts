import { BenchStore } from '../bench/bench-store';
import { FullVerifyStore, fullVerifyKeys } from '../verify/full/full-verify-store';
import { ErrorRateStore } from '../state/error-rate-store';
import { IncidentStore } from '../state/incident-store';
import { runbookSteps } from '../migration/runbook-steps';
import { gatherReport, type ReportSources } from '../report/gather-report';
import { reportHtml } from '../report/report-html';
import { reportSummaryView } from '../views/report-view';
import { UsageError, type Cutover, type Subcommand } from './subcommand';

/** The report's reads, from the bot's own stores. */
export function reportSources(c: Cutover): ReportSources {
  const incidents = new IncidentStore(c.redis, c.keys.incidents);
  return {
    plan: c.plan,
    steps: runbookSteps,
    recentAudit: (n) => c.audit.recent(n),
    approval: (id) => c.approvalStore.get(id),
    run: (hop) => c.runs.get(hop),
    samplesBetween: (hop, from, to, max) => c.samples.between(hop, from, to, max),
    fullVerify: (hop) => new FullVerifyStore(c.redis, fullVerifyKeys(c.keys.verifyRun(hop))).last(),
    errorRatesBetween: (from, to, max) => new ErrorRateStore(c.redis, c.keys.errorRates).between(from, to, max),
    benches: (hop) => new BenchStore(c.redis, c.keys.bench).all(hop),
    openIncidents: () => incidents.open(),
    resolvedIncidents: (n) => incidents.resolved(n),
    migration: () => c.migration.read(),
  };
}

export const reportCommand: Subcommand = {
  name: 'report',
  usage: 'report',
  summary: 'The migration report as one HTML file (plan, timelines and downtime, approvals, holds, incidents, lag charts, verifies, latency benches), for the postmortem',
  mutating: false,
  changesMigration: false,
  async run(inv, c) {
    if (inv.args.length) throw new UsageError('report takes no arguments');
    const data = await gatherReport(reportSources(c), inv.now);
    const stamp = new Date(inv.now).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    const filename = `migration-report-${c.plan.name.replace(/[^A-Za-z0-9_-]/g, '_')}-${stamp}.html`;
    return {
      reply: reportSummaryView(data, filename),
      files: [{ filename, title: `Migration report: ${c.plan.name}`, data: Buffer.from(reportHtml(data), 'utf8') }],
      detail: `${data.hops.length} hops, ${data.approvals.length} approvals, ${data.incidents.length} incidents${data.leftOut.length ? `; left out: ${data.leftOut.length}` : ''}`,
    };
  },
};
