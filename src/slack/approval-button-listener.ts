import type { App, BlockButtonAction } from '@slack/bolt';
import type { ApprovalService } from '../approvals/approval-service';
import type { InFlightWork } from '../lifecycle/in-flight-work';
import type { Logger } from '../log';
import { StateStoreUnavailable } from '../state/state-store';
import { APPROVE_ACTION, REJECT_ACTION } from '../views/approval-view';
import { anyOf } from './action-ids';
import { postToResponseUrl } from './response-url';

/** Approve / Reject buttons: acknowledged at once; the clicker gets an ephemeral word on what happened. */
export function registerApprovalButtons(app: App, deps: { approvals: ApprovalService; work: InFlightWork; log: Logger }): void {
  const { approvals, work, log } = deps;
  const decisions = new Map<string, 'approve' | 'reject'>([
    [APPROVE_ACTION, 'approve'],
    [REJECT_ACTION, 'reject'],
  ]);
  // One listener for both buttons: Bolt runs every listener's middleware for every request, commands included.
  app.action<BlockButtonAction>({ action_id: anyOf([...decisions.keys()]) }, async ({ ack, body, action }) => {
    await ack();
    const decision = decisions.get(action.action_id)!;
    await work.track(async () => {
      let reply: string;
      let running: Promise<void> | undefined;
      try {
        ({ reply, running } = await approvals.vote(action.value ?? '', body.user.id, decision));
      } catch (e) {
        if (!(e instanceof StateStoreUnavailable)) log.error({ err: e, user: body.user.id }, 'approval click failed');
        reply = e instanceof StateStoreUnavailable ? 'State store unavailable: your click was not counted. Try again when Redis is back.' : `Your click failed: ${(e as Error).message}`;
      }
      await postToResponseUrl(body.response_url, { response_type: 'ephemeral', replace_original: false, text: reply }).catch((e) => log.error({ err: e }, 'could not answer a click'));
      // The approved action (a whole cutover, maybe) runs on, tracked so that a SIGTERM waits for it.
      await running?.catch((e) => log.error({ err: e }, 'an approved action ended in an error that could not be recorded'));
    });
  });
}
