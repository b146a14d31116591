import type { KnownBlock } from '@slack/types';
import { writerLine } from '../checks/source-writers';
import type { CutoverRun } from '../cutover/cutover-run';
import { writersDecisionRefusal } from '../cutover/writers-decision';
import { confirmDialog } from './confirm-dialog';
import { escapeText, mention, section, slackTime } from './slack-text';

export const CUTOVER_TERMINATE_WRITERS = 'cutover.terminate-writers';
export const CUTOVER_CONTINUE_WRITERS = 'cutover.continue-writers';

const MAX_LINES = 8;

type Button = { type: 'button'; action_id: string; style?: 'primary' | 'danger'; text: { type: 'plain_text'; text: string }; value: string; confirm: ReturnType<typeof confirmDialog> };

/**
 * A run stopped at the writers check: the sessions that can still write on the source (role, application,
 * address, age, why), which of them the bot may not end and why, and the Terminate / Continue anyway
 * buttons (each naming the run). Nothing when the run is not stopped there.
 */
export function strayWritersView(run: CutoverRun, value: string): { blocks: KnownBlock[]; buttons: Button[] } {
  const sw = run.strayWriters;
  if (!sw || writersDecisionRefusal(run, run.hop, run.id)) return { blocks: [], buttons: [] };
  const lines = sw.writers.slice(0, MAX_LINES).map((w) => `• ${escapeText(writerLine(w))}${w.cannotTerminate ? `\n      _the bot may not terminate it: ${escapeText(w.cannotTerminate)}_` : ''}`);
  if (sw.writers.length > MAX_LINES) lines.push(`…and ${sw.writers.length - MAX_LINES} more (all of them are in the approval request)`);
  const pending = sw.terminate && !sw.terminate.outcome ? `\n_Terminate approved by ${sw.terminate.approvedBy.map(mention).join(', ')}: carried out when the run resumes._` : '';
  const blocks = [
    section(
      `*Can still write on the source* (listed ${slackTime(sw.listedAt)}; a session counts when its role may write, whatever it is doing now): what they write after the fence would be lost.\n${lines.join('\n')}\n` +
        `*Terminate them* ends exactly these sessions (pg_terminate_backend, by pid and start time) and resumes; *Continue anyway* goes on while they write; both need approval.${pending}`,
    ),
  ];
  const n = `${sw.writers.length} session${sw.writers.length === 1 ? '' : 's'}`;
  const buttons: Button[] = [
    {
      type: 'button', action_id: CUTOVER_TERMINATE_WRITERS, style: 'danger', text: { type: 'plain_text', text: 'Terminate them' }, value,
      confirm: confirmDialog(`Terminate ${n} on the source?`, `Asks teammates to approve ending the ${n} listed on ${run.hop}'s source; once approved they are ended and the cutover resumes.`, 'Ask to terminate'),
    },
    {
      type: 'button', action_id: CUTOVER_CONTINUE_WRITERS, text: { type: 'plain_text', text: 'Continue anyway' }, value,
      confirm: confirmDialog(`Continue while ${n} can write?`, `Asks teammates to approve going on while the ${n} listed may write on the source: what they write after the fence is lost.`, 'Ask to continue'),
    },
  ];
  return { blocks, buttons };
}
