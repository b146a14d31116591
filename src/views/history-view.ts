import type { AuditRecord } from '../state/audit-log';
import { escapeText, mention, section, slackTime, withinLimits, type MessageView } from './slack-text';

const ICON: Record<AuditRecord['outcome'], string> = { ok: '•', denied: ':no_entry:', refused: ':heavy_minus_sign:', error: ':x:' };

export function historyView(records: AuditRecord[]): MessageView {
  if (!records.length) return { text: 'History: nothing recorded yet', blocks: [section('Nothing recorded yet.')] };
  const lines = records.map((r) => `${ICON[r.outcome]} ${slackTime(r.at)} ${mention(r.actor)} ${r.command ? `ran \`/migrate ${escapeText(r.command.replace(/`/g, "'"))}\`` : escapeText(r.action)} — ${r.outcome}${r.detail ? `: ${escapeText(r.detail.slice(0, 200))}` : ''}`);
  // Several sections, so that each stays under Slack's per-section limit.
  const blocks = [];
  for (let i = 0; i < lines.length; i += 10) blocks.push(section(lines.slice(i, i + 10).join('\n')));
  return withinLimits({ text: `History: last ${records.length} entries`, blocks: [section(`*History* (newest first, ${records.length} entries)`), ...blocks] });
}
