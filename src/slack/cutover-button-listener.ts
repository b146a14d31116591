import type { App, BlockButtonAction } from '@slack/bolt';
import type { AccessControl } from '../access/access-control';
import type { CutoverRunner } from '../cutover/cutover-runner';
import type { InFlightWork } from '../lifecycle/in-flight-work';
import type { Logger } from '../log';
import type { AuditLog } from '../state/audit-log';
import { StateStoreUnavailable } from '../state/state-store';
import { CUTOVER_ABORT, CUTOVER_RESUME } from '../views/cutover-view';
import { ROLLBACK_ACTION } from '../gates/health-gates';
import type { ApprovalService } from '../approvals/approval-service';
import { anyOf } from './action-ids';
import { postToResponseUrl } from './response-url';

/** Abort and Resume on a cutover timeline: operators only; the clicker is told what happened. */
export function registerCutoverButtons(app: App, deps: { runner: CutoverRunner; approvals: ApprovalService; access: AccessControl; audit: AuditLog; work: InFlightWork; log: Logger }): void {
  const { runner, approvals, access, audit, work, log } = deps;
  const verbs = new Map<string, 'abort' | 'resume' | 'roll back'>([
    [CUTOVER_ABORT, 'abort'],
    [CUTOVER_RESUME, 'resume'],
    [ROLLBACK_ACTION, 'roll back'],
  ]);
  app.action<BlockButtonAction>({ action_id: anyOf([...verbs.keys()]) }, async ({ ack, body, action }) => {
    await ack();
    const verb = verbs.get(action.action_id)!;
    await work.track(async () => {
      let reply: string;
      try {
        const decision = await access.check(body.user.id, 'operator');
        if (!decision.allowed) {
          await audit.record({ actor: body.user.id, action: `click cutover ${verb}`, outcome: 'denied', detail: decision.why });
          reply = `Only operators can ${verb} a cutover: ${decision.why}.`;
        } else {
          await audit.record({ actor: body.user.id, action: `click cutover ${verb}`, outcome: 'ok', detail: action.value });
          const hop = action.value ?? '';
          if (verb === 'abort') reply = await runner.abort(hop, body.user.id);
          else if (verb === 'resume') reply = await runner.resume(hop, body.user.id);
          else {
            // Going back loses nothing only if nobody wrote since: that is for teammates to approve.
            await approvals.request({
              kind: 'cutover.rollback',
              title: `Roll back the cutover of ${hop}`,
              steps: ['Stop the app: maintenance on, processes scaled to 0', 'Point the app at the source database again', 'App back', 'Writes the app made on the target since the cutover stay there: they are NOT copied back to the source'],
              params: { hop },
              requester: body.user.id,
            });
            reply = 'A roll-back request is in the channel: it runs after approval.';
          }
        }
      } catch (e) {
        if (!(e instanceof StateStoreUnavailable)) log.error({ err: e }, `cutover ${verb} failed`);
        reply = e instanceof StateStoreUnavailable ? 'State store unavailable: nothing was done.' : `Failed: ${(e as Error).message}`;
      }
      await postToResponseUrl(body.response_url, { response_type: 'ephemeral', replace_original: false, text: reply }).catch(() => undefined);
    });
  });
}
