import type { TableComparison } from '../verify/table-comparison';
import { context, duration, escapeText, section, type MessageView } from './slack-text';

export interface VerifyProgress {
  hop: string;
  user: string;
  total: number;
  results: TableComparison[];
  startedAt: number;
  finished: boolean;
  checksum: boolean;
}

/** The verify run's one message, edited in place as it goes. */
export function verifyProgressView(p: VerifyProgress): MessageView {
  const bad = p.results.filter((r) => r.problems.length).length;
  const estimated = p.results.filter((r) => r.source && !r.source.exact).length;
  const head = p.finished
    ? bad
      ? `:red_circle: *Verify of ${p.hop} finished: ${bad} of ${p.total} tables differ* (details in the thread)`
      : `:white_check_mark: *Verify of ${p.hop} finished: all ${p.total} tables match*`
    : `:mag: *Verifying ${p.hop}:* ${p.results.length} of ${p.total} tables${bad ? `, ${bad} differ so far` : ''}`;
  const notes = [
    `${estimated ? `${estimated} tables too large for an exact count within the timeout: compared by estimate (marked in the thread)` : 'every row count exact'}`,
    p.checksum ? 'sampled checksums over primary-key ranges' : 'no checksums (add --checksum)',
    `asked by <@${p.user}>, ${duration(Date.now() - p.startedAt)}`,
  ];
  return { text: head.replace(/[*:]/g, ''), blocks: [section(head), context(notes.join(' · '))] };
}

/** The mismatches, as as many thread messages as they need (each within Slack's limits). */
export function verifyMismatchesView(hop: string, mismatched: TableComparison[]): MessageView[] {
  const lines = mismatched.map((r) => {
    const est = r.source && !r.source.exact ? ' _(row counts are estimates)_' : '';
    return `• \`${escapeText(r.table)}\`: ${r.problems.map(escapeText).join('; ')}${est}`;
  });
  const views: MessageView[] = [];
  for (let i = 0; i < lines.length; i += 25) {
    const chunk = lines.slice(i, i + 25);
    views.push({ text: `Verify ${hop}: mismatches ${i + 1}–${i + chunk.length}`, blocks: [section(chunk.join('\n'))] });
  }
  return views;
}
