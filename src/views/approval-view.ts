import type { KnownBlock } from '@slack/types';
import type { ApprovalRequest } from '../approvals/approval-request';
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

/** The approval request message, as it should look now. Buttons only while it is pending. */
export function approvalView(req: ApprovalRequest): MessageView {
  const steps = req.steps.map((s, i) => `${i + 1}. ${escapeText(s)}`).join('\n');
  const votes = req.approvals.length
    ? req.approvals.map((a) => `${mention(a.user)} at ${slackTime(a.at)}`).join(', ')
    : 'none yet';
  const blocks: KnownBlock[] = [
    header(`Approval needed: ${req.title}`),
    section(`${mention(req.requester)} asks to run:\n${steps}`),
    section(`*${STATUS_LINE[req.status]}*${closedDetail(req)}\n*Approvals:* ${req.approvals.length} of ${req.requiredApprovals} — ${votes}`),
  ];
  if (req.run) {
    const took = req.run.finishedAt ? ` in ${duration(req.run.finishedAt - req.run.startedAt)}` : '';
    const icon = req.run.status === 'succeeded' ? ':white_check_mark:' : req.run.status === 'failed' ? ':x:' : ':gear:';
    blocks.push(section(`${icon} *Run ${req.run.status}*${took}${req.run.result ? `: ${escapeText(req.run.result)}` : ''}`));
  }
  if (req.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: `approval:${req.id}`,
      elements: [
        { type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: req.id },
        { type: 'button', action_id: REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: req.id },
      ],
    });
    blocks.push(context(`Needs ${req.requiredApprovals} approvers other than ${mention(req.requester)}. Expires ${slackTime(req.expiresAt)}.`));
  }
  return withinLimits({ text: `Approval ${req.status}: ${req.title}`, blocks });
}

function closedDetail(req: ApprovalRequest): string {
  const c = req.closedBy;
  if (!c) return '';
  if (req.status === 'rejected') return ` by ${mention(c.user)} at ${slackTime(c.at)}`;
  if (req.status === 'expired') return ` at ${slackTime(c.at)}`;
  return ` at ${slackTime(c.at)}${c.reason ? `: ${escapeText(c.reason)}` : ''}`;
}
