import type { KnownBlock } from '@slack/types';
import type { CutoverRun, RunStepStatus } from '../cutover/cutover-run';
import { runbook } from '../cutover/runbook';
import type { Hop, Plan } from '../plan/plan';
import { confirmDialog } from './confirm-dialog';
import { runButtonValue } from './run-button';
import { strayWritersView } from './stray-writers-view';
import { context, duration, escapeText, header, section, withinLimits, type MessageView } from './slack-text';

export const CUTOVER_ABORT = 'cutover.abort';
export const CUTOVER_RESUME = 'cutover.resume';

const ICON: Record<RunStepStatus, string> = { pending: ':white_circle:', running: ':large_blue_circle:', done: ':white_check_mark:', failed: ':x:', interrupted: ':warning:', skipped: ':fast_forward:' };
const HEAD: Record<CutoverRun['status'], string> = {
  running: ':gear: running',
  aborting: ':leftwards_arrow_with_hook: ABORTING — rolling back the steps that ran',
  failed: ':x: STOPPED — a step failed',
  interrupted: ':warning: INTERRUPTED — the bot stopped mid-run; nothing runs until someone resumes or aborts',
  aborted: ':leftwards_arrow_with_hook: aborted and rolled back',
  done: ':white_check_mark: done',
  'rolled-back': ':leftwards_arrow_with_hook: rolled back after the cutover: the app is on the source again',
};

/** The live timeline of a cutover: every step with its state and time, the downtime clock, and the buttons that apply now. */
export function cutoverTimelineView(hop: Hop, run: CutoverRun, now: number, epoch?: number): MessageView {
  const lines = runbook(hop).map((step, i) => {
    const s = run.steps[step.id];
    const took = s?.startedAt ? ` _${duration((s.finishedAt ?? now) - s.startedAt)}_` : '';
    const again = s && s.attempts > 1 ? ` (attempt ${s.attempts})` : '';
    const warned = s?.status === 'done' && run.warnings?.some((w) => w.step === step.id);
    return `${warned ? ':warning:' : ICON[s?.status ?? 'pending']} ${i + 1}. ${escapeText(step.title)}${took}${again}${s?.result ? `\n      ${escapeText(s.result.slice(0, 300))}` : ''}`;
  });
  const down = run.writesStoppedAt ? `*Downtime:* ${duration((run.appBackAt ?? now) - run.writesStoppedAt)}${run.appBackAt ? ' (writes back)' : ' and counting'}` : '*Downtime:* not started (the app still takes writes)';
  const blocks: KnownBlock[] = [
    header(`Cutover ${hop.id}: ${hop.source.id} → ${hop.target.id}`),
    section(`*${HEAD[run.status]}*${run.abortRequested && run.status === 'running' ? ' — abort requested, stopping after this step' : ''}\n${down} · fencing token ${run.fence} · asked by <@${run.requester}>`),
    section(lines.join('\n')),
  ];
  if (run.failure) blocks.push(section(`:x: ${escapeText(run.failure)}`));
  if (run.warnings?.length) blocks.push(section(warningsText(run)));
  if (run.rolledBack) blocks.push(section(`*Rolled back* by <@${run.rolledBack.by}>: ${escapeText(run.rolledBack.result)}`));
  if (run.undo?.length) blocks.push(section(`*Rolled back:*\n${run.undo.map((u) => `• ${escapeText(u)}`).join('\n')}`));
  const appBackClaimed = (run.steps['app-back']?.status ?? 'pending') !== 'pending';
  // Each button names its run: a click on an older timeline is refused, never applied to a newer run.
  const value = runButtonValue({ hop: hop.id, run: run.id, epoch: epoch ?? 0 });
  const writers = strayWritersView(run, value);
  blocks.push(...writers.blocks);
  const buttons = [...writers.buttons];
  const steps = runbook(hop);
  const next = steps.findIndex((st) => (run.steps[st.id]?.status ?? 'pending') !== 'done' && run.steps[st.id]?.status !== 'skipped');
  const from = next >= 0 ? `step ${next + 1} (${steps[next].title})` : 'its first unfinished step';
  if ((run.status === 'failed' || run.status === 'interrupted') && !run.abortRequested) {
    const confirm = confirmDialog(`Resume the cutover of ${hop.id}?`, `The run goes on from ${from}; if it stopped long ago, teammates are asked to approve first.`, 'Resume', 'primary');
    buttons.push({ type: 'button' as const, action_id: CUTOVER_RESUME, style: 'primary' as const, text: { type: 'plain_text' as const, text: 'Resume' }, value, confirm });
  }
  if (['running', 'failed', 'interrupted'].includes(run.status) && !appBackClaimed) {
    const confirm = confirmDialog(`Abort the cutover of ${hop.id}?`, `The run stops${run.status === 'running' ? ' after the step running now' : ''} and every step that ran is undone: the app goes back to ${hop.source.id} and takes writes again.`, 'Abort the cutover');
    buttons.push({ type: 'button' as const, action_id: CUTOVER_ABORT, style: 'danger' as const, text: { type: 'plain_text' as const, text: 'Abort' }, value, confirm });
  }
  if (buttons.length) blocks.push({ type: 'actions', block_id: `cutover:${hop.id}`, elements: buttons });
  blocks.push(context(`Started ${new Date(run.startedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC · run ${run.id}`));
  return withinLimits({ text: `Cutover ${hop.id}: ${run.status}`, blocks });
}

/** `/migrate cutover --dry-run`: every step with the exact calls and SQL, and what the steps that look ahead would meet today; nothing run. */
export function cutoverDryRunView(plan: Plan, hop: Hop, previews: Record<string, string[]> = {}): MessageView {
  const steps = runbook(hop).map((s, i) => {
    const calls = s.describe({ plan, hop }).map((c) => `   \`${escapeText(c)}\``);
    const today = (previews[s.id] ?? []).map((p) => `   _today:_ ${escapeText(p)}`);
    return `*${i + 1}. ${escapeText(s.title)}*\n${[...calls, ...today].join('\n')}`;
  });
  const blocks: KnownBlock[] = [header(`Dry run: cutover of ${hop.id}`), context('Nothing is run. These are the calls and statements the cutover makes, in order.')];
  for (let i = 0; i < steps.length; i += 3) blocks.push(section(steps.slice(i, i + 3).join('\n')));
  return withinLimits({ text: `Dry run of the cutover of ${hop.id}`, blocks });
}

/** The run's warnings, each with its reason, and whether someone acknowledged them. */
export function warningsText(run: CutoverRun): string {
  const list = (run.warnings ?? []).map((w) => `:warning: ${escapeText(w.text)}`).join('\n');
  const ack = run.warningsAcknowledged ? `\n_Acknowledged by <@${run.warningsAcknowledged.by}>._` : `\n_Listed in \`/migrate status\` until someone runs \`/migrate acknowledge ${run.hop}\`._`;
  return `*${run.warnings?.length} warning${run.warnings?.length === 1 ? '' : 's'}:*\n${list}${ack}`;
}

/** Posted when a hop's cutover completes: the downtime, and every warning, so nobody reads the ✅ alone. */
export function cutoverCompletionView(hop: Hop, run: CutoverRun): MessageView {
  const down = run.writesStoppedAt && run.appBackAt ? duration(run.appBackAt - run.writesStoppedAt) : 'unknown';
  const warned = run.warnings?.length ?? 0;
  const head = warned ? `:warning: ${hop.id} is cut over, with ${warned} warning${warned === 1 ? '' : 's'}` : `:white_check_mark: ${hop.id} is cut over`;
  const blocks: KnownBlock[] = [section(`*${head}*: the app runs on ${escapeText(hop.target.label)}. Downtime ${down}.`)];
  if (warned) blocks.push(section(warningsText(run)));
  return withinLimits({ text: `${hop.id} is cut over${warned ? ` with ${warned} warning${warned === 1 ? '' : 's'}` : ''}`, blocks });
}
