import type { ReportData } from '../report/gather-report';
import { counted, duration, escapeText, section, withinLimits, type MessageView } from './slack-text';

/** The short message beside the report file: each hop's outcome and downtime, and what the file holds. */
export function reportSummaryView(d: ReportData, filename: string): MessageView {
  const hops = d.hops.map((h) => {
    const outcome = h.run ? h.run.status : 'not cut over';
    const down = h.downtimeMs === undefined ? '' : `, downtime ${duration(h.downtimeMs)}`;
    return `• *${escapeText(h.hop.id)}* (${escapeText(h.hop.source.label)} → ${escapeText(h.hop.target.label)}): ${escapeText(outcome)}${down}`;
  });
  const open = d.incidents.filter((i) => i.resolvedAt === undefined).length;
  const counts = [
    counted(d.approvals.length, 'approval request', 'approval requests'),
    counted(d.holds.length, 'hold', 'holds'),
    `${counted(d.incidents.length, 'incident', 'incidents')}${open ? ` (${open} still open)` : ''}`,
  ].join(' · ');
  const leftOut = d.leftOut.length ? `\n:warning: Bounded reads left some history out: ${d.leftOut.map(escapeText).join('; ')}.` : '';
  return withinLimits({
    text: `Migration report for ${d.plan.name}`,
    blocks: [section(`*Migration report for ${escapeText(d.plan.name)}*\n${hops.join('\n')}\n${counts}\nThe whole report (timelines, approvals, holds, incidents, lag charts, verifies, latency benches) is \`${escapeText(filename)}\`, posted in this channel.${leftOut}`)],
  });
}
