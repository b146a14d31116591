import type { ApprovalRequest } from '../approvals/approval-request';
import type { ApprovalBoard } from '../approvals/approval-service';
import type { Logger } from '../log';
import { approvalView } from '../views/approval-view';
import type { ChannelPoster } from './channel-poster';

/** Shows approval requests in the plan's channel and edits them in place. */
export function slackApprovalBoard(poster: ChannelPoster, channel: string, log: Logger): ApprovalBoard {
  return {
    post: (req) => poster.post(channel, approvalView(req)),
    async refresh(req: ApprovalRequest) {
      if (!req.message) return;
      // The request's truth is in Redis; a failed edit is logged, and the next change edits again.
      await poster.update(req.message.channel, req.message.ts, approvalView(req)).catch((e) => log.error({ err: e, approval: req.id }, 'could not update approval message'));
    },
    // In the request's own thread in the plan's channel, where every approver sees it.
    attach: (req, code) => poster.upload(req.message.channel, { filename: code.filename, title: `${code.filename} (${code.statements} statements, sha256 ${code.sha256})`, data: Buffer.from(code.text, 'utf8') }, req.message.ts),
  };
}
