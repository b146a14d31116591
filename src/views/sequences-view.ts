import type { KnownBlock } from '@slack/types';
import type { Hop } from '../plan/plan';
import { isBehind, needsFix, type SequenceAudit, type SequenceFinding } from '../sequences/sequence-audit';
import { sequenceGateResult } from '../sequences/sequence-gate';
import { columnKey } from '../sequences/sequence-values';
import { STATUS_ICON } from './lag-view';
import { context, counted, escapeText, header, section, slackTime, withinLimits, type MessageView } from './slack-text';

export const FINDINGS_IN_MESSAGE = 15;

const PROBLEM_TEXT: Record<SequenceFinding['problems'][number], string> = {
  behind: 'BEHIND its column: the next insert collides',
  'behind-source': "behind the source's sequence",
  'near-max': 'near its maximum',
  unreadable: 'cannot be read by the bot',
  missing: 'missing on the target (standalone on the source)',
};

function findingLine(f: SequenceFinding): string {
  const cols = f.standalone ? 'no column (standalone, synced by name from the source)' : f.columns.map((c) => `${escapeText(columnKey(c))}${c.kind === 'identity' ? ' (identity)' : c.kind === 'default' ? ' (default)' : ''}`).join(', ');
  const values = `next ${f.next ?? '?'}${f.standalone ? '' : `, ${f.increment > 0n ? 'max' : 'min'} ${f.extreme ?? 'empty'}`}${f.sourceNext !== undefined ? `, source next ${f.sourceNext}` : ''}${f.used !== undefined && f.problems.includes('near-max') ? `, ${(f.used * 100).toFixed(1)}% used` : ''}`;
  return `• \`${escapeText(f.sequence)}\` → ${cols}: ${f.problems.map((p) => PROBLEM_TEXT[p]).join('; ')} (${values})`;
}

/** `/migrate sequences check`: what is wrong, the first rows in the message, everything in a CSV. */
export function sequencesCheckView(hop: Hop, audit: SequenceAudit, sourceError?: string): MessageView {
  const bad = audit.findings.filter((f) => f.problems.length);
  // One rule for one state: the icon is the sequences gate's verdict, the one `health` shows.
  const icon = STATUS_ICON[sequenceGateResult(hop.method, hop.target.id, audit).status];
  const verdict = needsFix(audit)
    ? `${icon} *${counted(bad.filter(isBehind).length, 'sequence', 'sequences')} behind, ${counted(audit.missingDefaults.length, 'column lost its default', 'columns lost their default')}* — fix before the app gets writes: \`/migrate sequences ${hop.id} fix\``
    : bad.length
      ? `${icon} No sequence is behind; ${bad.length} need a look.`
      : `${icon} Every sequence is ahead of its columns.`;
  const blocks: KnownBlock[] = [
    header(`Sequences on ${hop.target.id} (${hop.id})`),
    section(`${verdict}\n${audit.findings.filter((f) => !f.standalone).length} sequences feed columns on the target; ${audit.findings.filter((f) => f.standalone).length} standalone sequences on the source are synced by name.${audit.identityToAlways.length ? ` ${audit.identityToAlways.length} identity columns are BY DEFAULT here while replication runs and become ALWAYS at the cutover, as on the source.` : ''}${sourceError ? `\n:white_circle: The source could not be compared: ${escapeText(sourceError)}` : ''}`),
  ];
  if (audit.missingDefaults.length) {
    const lines = audit.missingDefaults.slice(0, FINDINGS_IN_MESSAGE).map((m) => `• \`${escapeText(columnKey(m.source))}\` is ${m.source.kind === 'identity' ? 'an identity column' : `fed by ${escapeText(m.source.seqSchema)}.${escapeText(m.source.seqName)}`} on the source, but has no default and no identity on the target`);
    blocks.push(section(`*Lost defaults:*\n${lines.join('\n')}${audit.missingDefaults.length > FINDINGS_IN_MESSAGE ? `\n…and ${audit.missingDefaults.length - FINDINGS_IN_MESSAGE} more (CSV)` : ''}`));
  }
  if (bad.length) {
    blocks.push(section(`*Sequences:*\n${bad.slice(0, FINDINGS_IN_MESSAGE).map(findingLine).join('\n')}${bad.length > FINDINGS_IN_MESSAGE ? `\n…and ${bad.length - FINDINGS_IN_MESSAGE} more: see the CSV file in this channel.` : ''}`));
  }
  blocks.push(context(`Checked ${slackTime(audit.checkedAt)} · one catalog query and one value query per database`));
  return withinLimits({ text: `Sequences on ${hop.id}: ${needsFix(audit) ? 'fix needed' : 'ok'}`, blocks });
}

export function sequencesCsv(audit: SequenceAudit): string {
  const q = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  // Values are bigint, written as exact decimals (never through a float).
  const rows = audit.findings.map((f) => [f.sequence, f.standalone ? '(standalone)' : f.columns.map(columnKey).join(' '), f.increment, f.next, f.extreme, f.sourceNext, f.used?.toFixed(6), f.problems.join(' ')].map(q).join(','));
  const lost = audit.missingDefaults.map((m) => [`${m.source.seqSchema}.${m.source.seqName}`, columnKey(m.source), m.source.increment, '', '', m.sourceNext, '', 'lost-default'].map(q).join(','));
  return ['sequence,columns,increment,next,extreme,source_next,used,problems', ...rows, ...lost].join('\n') + '\n';
}
