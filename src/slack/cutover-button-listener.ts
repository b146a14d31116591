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
import { requestRollBack } from '../cutover/roll-back-request';
import type { Plan } from '../plan/plan';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import { parseRunButton } from '../views/run-button';
import { postToResponseUrl } from './response-url';
import type { CutoverRunStore } from '../cutover/cutover-run';
import { requestWritersDecision } from '../cutover/writers-request';
import { CUTOVER_CONTINUE_WRITERS, CUTOVER_TERMINATE_WRITERS } from '../views/stray-writers-view';

/**
 * Abort, Resume, Terminate them and Continue anyway on a cutover timeline, Roll back on an alert:
 * operators only; each button names its run; the clicker is told what happened.
 */
export function registerCutoverButtons(
  app: App,
  deps: { plan: Plan; migration: MigrationState; runner: CutoverRunner; runs: CutoverRunStore; lock: MigrationLock; approvals: ApprovalService; access: AccessControl; audit: AuditLog; work: InFlightWork; log: Logger },
): void {
  const { plan, migration, runner, runs, lock, approvals, access, audit, work, log } = deps;
  const verbs = new Map<string, 'abort' | 'resume' | 'roll back' | 'terminate the writers of' | 'continue past the writers of'>([
    [CUTOVER_ABORT, 'abort'],
    [CUTOVER_RESUME, 'resume'],
    [ROLLBACK_ACTION, 'roll back'],
    [CUTOVER_TERMINATE_WRITERS, 'terminate the writers of'],
    [CUTOVER_CONTINUE_WRITERS, 'continue past the writers of'],
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
          const button = parseRunButton(action.value);
          await audit.record({ actor: body.user.id, action: `click cutover ${verb}`, outcome: button ? 'ok' : 'refused', detail: action.value });
          if (!button) reply = `This button does not say which cutover run it is for (it was drawn by an older version): use the newest timeline. Nothing was done.`;
          else if (verb === 'abort') reply = await runner.abort(button.hop, body.user.id, button.run);
          else if (verb === 'resume') reply = await runner.resume(button.hop, body.user.id, { runId: button.run });
          // Ending other people's sessions, or going on while they write, is for teammates to approve.
          else if (verb === 'terminate the writers of') reply = await requestWritersDecision({ plan, runs, migration, lock, approvals }, button, 'terminate', body.user.id);
          else if (verb === 'continue past the writers of') reply = await requestWritersDecision({ plan, runs, migration, lock, approvals }, button, 'continue', body.user.id);
          // Going back loses nothing only if nobody wrote since: that is for teammates to approve.
          else reply = await requestRollBack({ plan, migration, approvals }, button, body.user.id);
        }
      } catch (e) {
        if (!(e instanceof StateStoreUnavailable)) log.error({ err: e }, `cutover ${verb} failed`);
        reply = e instanceof StateStoreUnavailable ? 'State store unavailable: nothing was done.' : `Failed: ${(e as Error).message}`;
      }
      await postToResponseUrl(body.response_url, { response_type: 'ephemeral', replace_original: false, text: reply }).catch(() => undefined);
    });
  });
}
