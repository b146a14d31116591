import type { ApprovalService } from '../approvals/approval-service';
import { beginRollBack } from '../migration/migration-machine';
import { hopById, type Plan } from '../plan/plan';
import type { MigrationState } from '../state/migration-state';
import type { RunButton } from '../views/run-button';

/**
 * A Roll back click: checked against the migration as it is now (the run is still the hop's latest
 * and done, no later hop moved), then a request for teammates to approve. The approval checks again
 * when it runs. Returns what to tell the clicker.
 */
export async function requestRollBack(deps: { plan: Plan; migration: MigrationState; approvals: ApprovalService }, button: RunButton, user: string, now = Date.now()): Promise<string> {
  const hop = hopById(deps.plan, button.hop);
  if (!hop) return `This Roll back is for ${button.hop}, which is not in the plan any more: nothing was done.`;
  const m = await deps.migration.read();
  const allowed = beginRollBack(m, deps.plan, hop.id, button.run, now);
  if (!allowed.ok) return `${allowed.why.charAt(0).toUpperCase()}${allowed.why.slice(1)}.`;
  await deps.approvals.request({
    kind: 'cutover.rollback',
    title: `Roll back the cutover of ${hop.id}`,
    steps: ['Stop the app: maintenance on, processes scaled to 0', 'Point the app at the source database again', 'App back'],
    warning: 'Writes the app made on the target since the cutover stay there: they are NOT copied back to the source.',
    params: { hop: hop.id, run: button.run, epoch: m.epoch },
    requester: user,
    exclusive: `rollback:${hop.id}`,
  });
  return 'A roll-back request is in the channel: it runs after approval.';
}
