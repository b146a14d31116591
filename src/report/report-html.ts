import type { ApprovalRequest } from '../approvals/approval-request';
import type { AuditRecord } from '../state/audit-log';
import { duration } from '../views/slack-text';
import type { HoldRecord, HopReport, IncidentRecord, ReportData } from './gather-report';
import { benchSection } from './bench-section';
import { escapeHtml, htmlTable as table, reportTime } from './html-parts';
import { errorRateChartDataUri, lagChartDataUri } from './report-chart';

const e = escapeHtml;
const time = reportTime;
const span = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? duration(to - from) : '—');

// One small stylesheet inside the file: the report opens the same anywhere, offline, with nothing fetched.
const STYLE = `body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222;padding:0 1em}
h1{color:#1d3557}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.92em}
th{background:#f1f4f8}.ok{color:#2a7d2a}.bad{color:#b00020}.warn{color:#a15c00}.muted{color:#666}
img{max-width:100%;border:1px solid #eee}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}`;

/**
 * The migration report as one self-contained HTML file: the plan, each hop's timeline and downtime,
 * approvals, holds, incidents, lag charts, sequences, verifies and latency benches. Pure: the same data gives the same
 * file. Every value from the data is escaped; the file has no script and loads nothing.
 */
export function reportHtml(d: ReportData): string {
  const title = `Migration report: ${d.plan.name}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${e(title)}</h1>
<p class="muted">Generated ${e(time(d.generatedAt))} from the bot's audit log and records in Redis.</p>
${summarySection(d)}
${planSection(d)}
${d.hops.map(hopSection).join('\n')}
${approvalsSection(d.approvals)}
${holdsSection(d.holds, d.generatedAt)}
${incidentsSection(d.incidents, d.generatedAt)}
${auditSection('sequences', 'Sequences', d.sequences, 'No sequence check or fix is recorded.')}
${verifySection(d)}
${benchSection(d.hops)}
${leftOutSection(d.leftOut)}
</body>
</html>
`;
}

function summarySection(d: ReportData): string {
  const rows = d.hops.map((h) => [e(h.hop.id), e(`${h.hop.source.label} → ${h.hop.target.label}`), e(h.hop.method), runStatus(h), e(h.downtimeMs === undefined ? '—' : duration(h.downtimeMs))]);
  return `<section id="summary"><h2>Summary</h2>${table(['Hop', 'From → to', 'Method', 'Cutover', 'Downtime'], rows)}</section>`;
}

function runStatus(h: HopReport): string {
  if (!h.run) return '<span class="muted">not cut over</span>';
  const cls = h.run.status === 'done' ? 'ok' : h.run.status === 'running' ? 'warn' : 'bad';
  return `<span class="${cls}">${e(h.run.status)}</span>`;
}

function planSection(d: ReportData): string {
  const p = d.plan;
  const dbs = table(['Database', 'Label', 'Host kind'], p.databases.map((db) => [e(db.id), e(db.label), e(db.rds ? `RDS/Aurora (${db.rds.region})` : 'PostgreSQL')]));
  const hops = table(
    ['Hop', 'Method', 'Source', 'Target', 'App', 'Max lag'],
    p.hops.map((h) => [e(h.id), e(h.method), e(h.source.id), e(h.target.id), e(h.app ? `${h.app.platform}${h.app.name ? ` ${h.app.name}` : ''} (${h.app.configVar})` : '—'), e(`${h.thresholds.maxLagSeconds} s`)]),
  );
  return `<section id="plan"><h2>Plan</h2><p>Plan <b>${e(p.name)}</b>, channel ${e(p.channel)}; ${e(String(p.access.approvalsRequired))} approval(s) required per request.</p>${dbs}${hops}</section>`;
}

function hopSection(h: HopReport): string {
  const id = `hop-${h.hop.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const head = `<h2>Hop ${e(h.hop.id)}: ${e(h.hop.source.label)} → ${e(h.hop.target.label)} (${e(h.hop.method)})</h2>`;
  return `<section id="${id}" class="hop">${head}
${timeline(h)}
${chart(h)}
${errorRateChart(h)}
</section>`;
}

function timeline(h: HopReport): string {
  const run = h.run;
  if (!run) return '<p class="muted">No cutover run is recorded for this hop.</p>';
  const down = h.downtimeMs === undefined ? (run.writesStoppedAt ? 'writes stopped, not back yet' : 'writes never stopped') : duration(h.downtimeMs);
  const facts = [
    `Run ${e(run.id)} requested by ${e(run.requester)}; status <b>${e(run.status)}</b>, ${e(String(run.attempt))} attempt(s).`,
    `Started ${e(time(run.startedAt))}, finished ${e(time(run.finishedAt))}.`,
    `<span class="downtime">Downtime: <b>${e(down)}</b></span> (writes stopped ${e(time(run.writesStoppedAt))}, writes back ${e(time(run.appBackAt))}).`,
  ];
  if (run.failure) facts.push(`<span class="bad">Failure: ${e(run.failure)}</span>`);
  if (run.rolledBack) facts.push(`<span class="warn">Rolled back by ${e(run.rolledBack.by)} at ${e(time(run.rolledBack.at))}: ${e(run.rolledBack.result)}</span>`);
  for (const w of run.warnings ?? []) facts.push(`<span class="warn">⚠️ ${e(w.step)}: ${e(w.text)}</span>`);
  if (run.warningsAcknowledged) facts.push(`Warnings acknowledged by ${e(run.warningsAcknowledged.by)} at ${e(time(run.warningsAcknowledged.at))}.`);
  const rows = h.steps.map((s, i) => {
    const st = run.steps[s.id];
    return [e(String(i + 1)), e(s.title), e(st?.status ?? 'not run'), e(time(st?.startedAt)), e(time(st?.finishedAt)), e(span(st?.startedAt, st?.finishedAt)), e(String(st?.attempts ?? 0)), st?.result ? `<pre>${e(st.result)}</pre>` : ''];
  });
  return `<div class="timeline"><p>${facts.join('<br>\n')}</p>${table(['#', 'Step', 'Status', 'Started', 'Finished', 'Took', 'Attempts', 'Result'], rows)}</div>`;
}

function chart(h: HopReport): string {
  const caption = h.run ? `Heartbeat lag from ${time(h.samples[0]?.at)} to ${time(h.samples.at(-1)?.at)}; writes stopped ${time(h.run.writesStoppedAt)}, back ${time(h.run.appBackAt)}.` : `Heartbeat lag, the last samples before this report.`;
  if (h.samples.length < 2) return `<p class="muted">No lag chart: fewer than two lag samples are kept for this window.</p>`;
  const uri = lagChartDataUri(h.samples, `Lag on ${h.hop.id} around its cutover`, h.hop.thresholds.maxLagSeconds);
  return `<figure class="lag-chart"><img alt="${e(`Lag on ${h.hop.id}`)}" src="${uri}"><figcaption>${e(caption)} ${e(String(h.samples.length))} samples.</figcaption></figure>`;
}

function errorRateChart(h: HopReport): string {
  if (!h.run) return '';
  if (h.errorRates.length < 2) return `<p class="muted">No error-rate chart: fewer than two error-tracker readings are kept for this window.</p>`;
  const marks = h.run ? [...(h.run.writesStoppedAt ? [{ at: h.run.writesStoppedAt, label: 'writes stopped' }] : []), ...(h.run.appBackAt ? [{ at: h.run.appBackAt, label: 'writes back' }] : [])] : [];
  const uri = errorRateChartDataUri(h.errorRates, `App error rate around the cutover of ${h.hop.id}`, marks);
  const caption = `Errors per minute from the error tracker, ${time(h.errorRates[0].at)} to ${time(h.errorRates.at(-1)!.at)}, against its trailing baseline. ${h.errorRates.length} readings.`;
  return `<figure class="error-rate-chart"><img alt="${e(`Error rate around ${h.hop.id}`)}" src="${uri}"><figcaption>${e(caption)}</figcaption></figure>`;
}

function approvalsSection(approvals: ApprovalRequest[]): string {
  if (!approvals.length) return '<section id="approvals"><h2>Approvals</h2><p class="muted">No approval request is recorded.</p></section>';
  const rows = approvals.map((a) => [
    `${e(a.title)}${a.code ? codeBlock(a.code) : ''}`,
    e(a.kind),
    `${e(a.requester)}<br><span class="muted">${e(time(a.createdAt))}</span>`,
    e(a.status),
    a.approvals.map((v) => `<span class="approver">${e(v.user)}</span> ${e(time(v.at))}`).join('<br>') || '—',
    a.closedBy ? `${e(a.closedBy.user)} ${e(time(a.closedBy.at))}${a.closedBy.reason ? `: ${e(a.closedBy.reason)}` : ''}` : '—',
    a.run ? `${e(a.run.status)}${a.run.result ? `: ${e(a.run.result)}` : ''}` : '—',
  ]);
  return `<section id="approvals"><h2>Approvals</h2>${table(['Request', 'Kind', 'Requested by', 'Status', 'Approved by', 'Closed', 'Action'], rows)}</section>`;
}

// A sequence fix holds a statement per sequence: the whole file is in the request's thread, the report shows its start.
const CODE_MAX = 20_000;

function codeBlock(code: NonNullable<ApprovalRequest['code']>): string {
  const cut = code.text.length > CODE_MAX ? `\n… ${code.text.length - CODE_MAX} more characters in ${code.filename} in the request's thread` : '';
  return `<details class="code"><summary>${e(`${code.filename}: ${code.statements} statements, sha256 ${code.sha256}`)}</summary><pre>${e(code.text.slice(0, CODE_MAX) + cut)}</pre></details>`;
}

function holdsSection(holds: HoldRecord[], now: number): string {
  if (!holds.length) return '<section id="holds"><h2>Holds</h2><p class="muted">No hold was placed.</p></section>';
  const rows = holds.map((h) => [e(h.reason), e(h.by), e(time(h.at)), h.liftedAt === undefined ? '<span class="warn">still in place</span>' : `${e(h.liftedBy ?? '?')} ${e(time(h.liftedAt))}`, e(duration((h.liftedAt ?? now) - h.at))]);
  return `<section id="holds"><h2>Holds</h2>${table(['Reason', 'Placed by', 'At', 'Lifted', 'Held for'], rows)}</section>`;
}

function incidentsSection(incidents: IncidentRecord[], now: number): string {
  if (!incidents.length) return '<section id="incidents"><h2>Incidents</h2><p class="muted">No alert fired.</p></section>';
  const rows = incidents.map((i) => [
    e(i.key),
    slackBold(e(i.summary)),
    e(time(i.since)),
    e(time(i.firedAt)),
    i.resolvedAt === undefined ? '<span class="bad">still open</span>' : e(time(i.resolvedAt)),
    e(duration((i.resolvedAt ?? now) - i.since)),
  ]);
  return `<section id="incidents"><h2>Incidents</h2>${table(['Alert', 'What', 'Started', 'Fired', 'Ended', 'Duration'], rows)}</section>`;
}

/** Alert summaries are Slack text: their *bold* reads as bold here too (applied to already escaped text). */
function slackBold(escaped: string): string {
  return escaped.replace(/\*([^*\n]+)\*/g, '<b>$1</b>');
}

function auditRows(entries: AuditRecord[]): string[][] {
  return entries.map((a) => [e(time(a.at)), e(a.actor), e(a.command ? `/migrate ${a.command}` : a.action), e(a.outcome), a.detail ? e(a.detail) : '']);
}

function auditSection(id: string, heading: string, entries: AuditRecord[], none: string): string {
  if (!entries.length) return `<section id="${id}"><h2>${e(heading)}</h2><p class="muted">${e(none)}</p></section>`;
  return `<section id="${id}"><h2>${e(heading)}</h2>${table(['At', 'Who', 'What', 'Outcome', 'Detail'], auditRows(entries))}</section>`;
}

function verifySection(d: ReportData): string {
  const full = d.hops.filter((h) => h.fullVerify);
  const summary = full.length
    ? table(
        ['Hop', 'Run', 'Status', 'Mode', 'Finished', 'Tables', 'Rows', 'Differences', 'In flight'],
        full.map(({ hop, fullVerify: f }) => [e(hop.id), e(f!.runId), e(f!.status), e(f!.mode ?? '—'), e(time(f!.finishedAt)), e(String(f!.tables)), e(String(f!.rows)), `<span class="${f!.differences ? 'bad' : 'ok'}">${e(String(f!.differences))}</span>`, e(String(f!.inFlight))]),
      )
    : '<p class="muted">No full verify finished.</p>';
  const runs = d.verifies.length ? table(['At', 'Who', 'What', 'Outcome', 'Detail'], auditRows(d.verifies)) : '<p class="muted">No verify command is recorded.</p>';
  return `<section id="verify"><h2>Verify</h2><h3>Newest full verify of each hop</h3>${summary}<h3>Verify commands</h3>${runs}</section>`;
}

function leftOutSection(leftOut: string[]): string {
  if (!leftOut.length) return '<section id="left-out"><h2>Not in this report</h2><p class="muted">Nothing: every read was within its bound.</p></section>';
  const items = leftOut;
  return `<section id="left-out"><h2>Not in this report</h2><ul>${items.map((l) => `<li>${e(l)}</li>`).join('')}</ul></section>`;
}
