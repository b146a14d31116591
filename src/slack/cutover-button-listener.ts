import type { App, BlockButtonAction } from '@slack/bolt';
import type { AccessControl } from '../access/access-control';
import type { CutoverRunner } from '../cutover/cutover-runner';
import type { InFlightWork } from '../lifecycle/in-flight-work';
import type { Logger } from '../log';
import type { AuditLog } from '../state/audit-log';
import { StateStoreUnavailable } from '../state/state-store';
import { CUTOVER_ABORT, CUTOVER_RESUME } from '../views/cutover-view';

/** Abort and Resume on a cutover timeline: operators only; the clicker is told what happened. */
export function registerCutoverButtons(app: App, deps: { runner: CutoverRunner; access: AccessControl; audit: AuditLog; work: InFlightWork; log: Logger }): void {
  const { runner, access, audit, work, log } = deps;
  for (const [actionId, verb] of [
    [CUTOVER_ABORT, 'abort'],
    [CUTOVER_RESUME, 'resume'],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      await work.track(async () => {
        let reply: string;
        try {
          const decision = await access.check(body.user.id, 'operator');
          if (!decision.allowed) {
            await audit.record({ actor: body.user.id, action: `click cutover ${verb}`, outcome: 'denied', detail: decision.why });
            reply = `Only operators can ${verb} a cutover: ${decision.why}.`;
          } else {
            await audit.record({ actor: body.user.id, action: `click cutover ${verb}`, outcome: 'ok', detail: action.value });
            reply = verb === 'abort' ? await runner.abort(action.value ?? '', body.user.id) : await runner.resume(action.value ?? '', body.user.id);
          }
        } catch (e) {
          if (!(e instanceof StateStoreUnavailable)) log.error({ err: e }, `cutover ${verb} failed`);
          reply = e instanceof StateStoreUnavailable ? 'State store unavailable: nothing was done.' : `Failed: ${(e as Error).message}`;
        }
        await respond({ response_type: 'ephemeral', replace_original: false, text: reply }).catch(() => undefined);
      });
    });
  }
}
