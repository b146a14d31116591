import type { KnownBlock } from '@slack/types';
import type { ApprovalCode, ApprovalRequest, ApprovalRun } from '../approvals/approval-request';
import { confirmDialog } from './confirm-dialog';
import { context, duration, escapeText, header, mention, section, slackTime, withinLimits, type MessageView } from './slack-text';

export const APPROVE_ACTION = 'approval.approve';
export const REJECT_ACTION = 'approval.reject';

const STATUS_LINE: Record<ApprovalRequest['status'], string> = {
  pending: ':hourglass_flowing_sand: Waiting for approval',
  approved: ':white_check_mark: Approved',
  rejected: ':no_entry: Rejected: nothing will run',
  expired: ':alarm_clock: Expired: nothing will run',
  invalidated: ':warning: Withdrawn: nothing will run',
};

const HEADER: Record<ApprovalRequest['status'], string> = {
  pending: 'Approval needed',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  invalidated: 'Withdrawn',
};

const RUN_LINE: Record<ApprovalRun['status'], string> = { running: ':gear: *Running*', succeeded: ':white_check_mark: *Run succeeded*', failed: ':x: *Run failed*' };

/** The approval request message, as it should look now. Buttons only while it is pending. */
export function approvalView(req: ApprovalRequest): MessageView {
  const steps = req.steps.map((s, i) => `${i + 1}. ${escapeText(s)}`).join('\n');
  const votes = req.approvals.length
    ? req.approvals.map((a) => `${mention(a.user)} at ${slackTime(a.at)}`).join(', ')
    : 'none yet';
  const blocks: KnownBlock[] = [
    header(`${HEADER[req.status]}: ${req.title}`),
    section(`${mention(req.requester)} asks to run:\n${steps}${req.notes?.length ? `\n${req.notes.map((n) => `_${escapeText(n)}_`).join('\n')}` : ''}`),
    ...(req.warning ? [section(`:warning: *${escapeText(req.warning)}*`)] : []),
    ...(req.code ? codeBlocks(req.code) : []),
    section(`*${STATUS_LINE[req.status]}*${closedDetail(req)}\n*Approvals:* ${req.approvals.length} of ${req.requiredApprovals} — ${votes}`),
  ];
  if (req.run) {
    const took = req.run.finishedAt ? ` in ${duration(req.run.finishedAt - req.run.startedAt)}` : '';
    blocks.push(section(`${RUN_LINE[req.run.status]}${req.run.status === 'running' ? ` since ${slackTime(req.run.startedAt)}` : took}${req.run.result ? `: ${escapeText(req.run.result)}` : ''}`));
  }
  if (req.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: `approval:${req.id}`,
      elements: [
        { type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: req.id, confirm: approveConfirm(req) },
        { type: 'button', action_id: REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: req.id },
      ],
    });
    blocks.push(context(`Needs ${req.requiredApprovals} approvers other than ${mention(req.requester)}. Expires ${slackTime(req.expiresAt)}.`));
  }
  return withinLimits({ text: `Approval ${req.status}: ${req.title}`, blocks });
}

/** One line on what this click does: count a vote, or complete the request and run it now. */
function approveConfirm(req: ApprovalRequest) {
  const left = req.requiredApprovals - req.approvals.length;
  const when = left <= 1 ? 'Your approval completes the request: it runs at once' : `Your approval is 1 of the ${left} still needed; it runs when the last one approves`;
  const cutover = req.kind === 'cutover' ? ' The app stops taking writes until it is back on the target.' : '';
  return confirmDialog(`Approve: ${req.title}?`, `${when}.${cutover}`, 'Approve', 'primary');
}

// Leaves room in the message for the request's other blocks; the file holds everything.
const CODE_SECTIONS_MAX = 12;
const CODE_SECTION_CHARS = 2900;

/** The code as code blocks (whole lines, each block within Slack's section limit), its count and hash. */
function codeBlocks(code: ApprovalCode): KnownBlock[] {
  const chunks: string[][] = [[]];
  let size = 0;
  let shown = 0;
  const lines = code.text.replace(/\n$/, '').split('\n');
  for (const line of lines) {
    const text = escapeText(line);
    if (size + text.length + 1 > CODE_SECTION_CHARS - 8 && chunks[chunks.length - 1].length) {
      if (chunks.length === CODE_SECTIONS_MAX) break;
      chunks.push([]);
      size = 0;
    }
    chunks[chunks.length - 1].push(text.length > CODE_SECTION_CHARS - 8 ? `${text.slice(0, CODE_SECTION_CHARS - 9)}…` : text);
    size += text.length + 1;
    shown++;
  }
  const rest = lines.length - shown;
  return [
    section(`*${code.statements} ${code.statements === 1 ? 'statement' : 'statements'}*, all in \`${escapeText(code.filename)}\` in this request's thread · sha256 \`${code.sha256}\`: only statements with this hash run.`),
    ...chunks.map((c) => section('```' + c.join('\n') + '```')),
    ...(rest > 0 ? [context(`…${rest} more lines not shown here: every statement is in the file in this thread.`)] : []),
  ];
}

function closedDetail(req: ApprovalRequest): string {
  const c = req.closedBy;
  if (!c) return '';
  if (req.status === 'rejected') return ` by ${mention(c.user)} at ${slackTime(c.at)}`;
  if (req.status === 'expired') return ` at ${slackTime(c.at)}`;
  return ` at ${slackTime(c.at)}${c.reason ? `: ${escapeText(c.reason)}` : ''}`;
}
