import type { KnownBlock } from '@slack/types';
import { iamPolicyFor } from '../checks/preflight/aws-permissions';
import type { PreflightCheck, PreflightReport } from '../checks/preflight/preflight-check';
import type { Hop } from '../plan/plan';
import { context, escapeText, header, section, slackTime, withinLimits, type MessageView } from './slack-text';

const ICON: Record<PreflightCheck['status'], string> = { ok: ':white_check_mark:', warn: ':warning:', fail: ':x:', unknown: ':x:' };
/** Fixes longer than this (all together) go into the attached file; the message names the checks. */
export const FIXES_IN_MESSAGE_CHARS = 2400;

const notOk = (c: PreflightCheck) => c.status !== 'ok';

function line(c: PreflightCheck): string {
  const value = c.value ? ` ${escapeText(c.value)}` : '';
  const unknown = c.status === 'unknown' ? ' _could not tell (blocks like missing)_' : '';
  const detail = c.detail ? ` — ${escapeText(c.detail)}` : '';
  return `${ICON[c.status]} *${escapeText(c.label)}:*${value}${unknown}${detail} _(as ${escapeText(c.as)})_`;
}

/** Every fix of the report as one text: SQL grouped by where it runs, other fixes, then one IAM policy. */
export function preflightFixes(report: PreflightReport): string {
  const out: string[] = [];
  for (const c of report.checks.filter((x) => notOk(x) && x.fix && x.fix.kind !== 'iam')) {
    const f = c.fix!;
    out.push(`${f.kind === 'sql' ? '--' : '#'} ${c.label}${f.where ? ` — ${f.where}` : ''}`, f.text, '');
  }
  const policy = iamPolicyFor(report.checks.filter(notOk));
  if (policy) out.push("# IAM policy for the bot's AWS role or user (only what is missing)", policy, '');
  return out.join('\n');
}

/** `/migrate preflight`: each check ✅ / ⚠️ / ❌ with what it saw, and the exact fix of each one missing. */
export function preflightView(hop: Hop, report: PreflightReport, fixesInFile: string | undefined): MessageView {
  const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown');
  const doubtful = report.checks.filter((c) => c.status === 'warn');
  const verdict = failed.length
    ? `:no_entry: *NO-GO* — ${failed.length} of ${report.checks.length} checks missing for a cutover of *${hop.id}*: ${failed.map((c) => escapeText(c.label)).join(', ')}.`
    : `:white_check_mark: Everything *${hop.id}* needs is in place${doubtful.length ? ` (${doubtful.length} ⚠️ cannot be proven without acting: read why)` : ''}.`;
  const blocks: KnownBlock[] = [header(`Preflight: ${hop.id} (${hop.method})`), section(verdict)];
  const lines = report.checks.map(line);
  for (let i = 0; i < lines.length; i += 8) blocks.push(section(lines.slice(i, i + 8).join('\n')));
  const fixes = preflightFixes(report);
  if (fixes && !fixesInFile) {
    blocks.push(section('*Fixes:*'));
    // Whole lines per block, each within Slack's section limit.
    let chunk: string[] = [];
    const flush = () => {
      if (chunk.length) blocks.push(section('```' + escapeText(chunk.join('\n')) + '```'));
      chunk = [];
    };
    for (const l of fixes.trimEnd().split('\n')) {
      if (chunk.join('\n').length + l.length > 2800) flush();
      chunk.push(l);
    }
    flush();
  } else if (fixes) blocks.push(section(`*Fixes:* every GRANT and the IAM policy are in \`${escapeText(fixesInFile!)}\`, attached here.`));
  blocks.push(context(`Checked ${slackTime(report.at)} as each role the plan uses; read-only: nothing was granted, started or stopped.`));
  return withinLimits({ text: `Preflight of ${hop.id}: ${failed.length ? `${failed.length} missing` : 'ok'}`, blocks });
}
