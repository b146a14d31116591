import { ApprovalConflict, type ApprovalService } from '../approvals/approval-service';
import { writerLine } from '../checks/source-writers';
import { hopById, type Plan } from '../plan/plan';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import type { RunButton } from '../views/run-button';
import type { CutoverRunStore } from './cutover-run';
import { type WritersDecisionKind, writersDecisionRefusal } from './writers-decision';

export const WRITERS_APPROVAL_KIND: Record<WritersDecisionKind, string> = { terminate: 'cutover.writers.terminate', continue: 'cutover.writers.continue' };

/**
 * A Terminate or Continue anyway click on a run stopped at the writers check: checked against the
 * run as it is now (this run, still stopped there), then a request for teammates to approve, naming
 * the listed sessions exactly. The approval checks again when it runs. Returns what to tell the clicker.
 */
export async function requestWritersDecision(
  deps: { plan: Plan; runs: CutoverRunStore; migration: MigrationState; lock: Pick<MigrationLock, 'read'>; approvals: ApprovalService },
  button: RunButton,
  kind: WritersDecisionKind,
  user: string,
): Promise<string> {
  const hop = hopById(deps.plan, button.hop);
  if (!hop) return `This button is for ${button.hop}, which is not in the plan any more: nothing was done.`;
  const run = await deps.runs.get(hop.id);
  const refused = writersDecisionRefusal(run, hop.id, button.run);
  if (refused || !run?.strayWriters) return `Refused: ${refused ?? 'no writers are listed'}. Nothing was done.`;
  // The approved decision resumes the run as the one who asked, like Resume: the lock holder.
  if ((await deps.lock.read())?.holder !== user) return 'The run resumes as the one who asks, so this needs the migration lock: take it with `/migrate lock <reason>` first. Nothing was done.';
  const { writers, listedAt } = run.strayWriters;
  const n = `${writers.length} session${writers.length === 1 ? '' : 's'}`;
  const steps =
    kind === 'terminate'
      ? [
          // Every session, however many: approvers see exactly what will be ended.
          ...writers.map((w) => w.preparedGid !== undefined ? `not touched (no session to end) — ${writerLine(w)} — ${w.cannotTerminate ?? ''}` : `pg_terminate_backend(${w.pid}) only if pid ${w.pid} is still the session that connected at ${w.backendStart ?? '(hidden)'} — ${writerLine(w)}${w.cannotTerminate ? ` — MAY NOT be ended: ${w.cannotTerminate}` : ''}`),
          `Then the cutover resumes and checks the writers again (up to ${deps.plan.cutover.writersTimeoutSeconds} s)`,
        ]
      : [
          `Go on past the writers check while these ${n} may still write on the source: what they write after the fence is LOST (not on the target)`,
          ...writers.map(writerLine),
          'Recorded on the run and in the audit log; sessions not in this list still stop the run',
        ];
  try {
    const req = await deps.approvals.request({
      kind: WRITERS_APPROVAL_KIND[kind],
      title: kind === 'terminate' ? `Terminate ${n} still writing on ${hop.source.label} (cutover of ${hop.id})` : `Continue the cutover of ${hop.id} with ${n} still writing on ${hop.source.label}`,
      steps,
      params: { hop: hop.id, run: run.id, listedAt, epoch: (await deps.migration.read()).epoch },
      requester: user,
      exclusive: `writers:${hop.id}`,
    });
    return `A request to ${kind === 'terminate' ? `terminate ${n}` : `continue anyway past ${n}`} is in the channel (${req.id}): it runs after approval.`;
  } catch (e) {
    if (e instanceof ApprovalConflict) return `A decision about these writers is already waiting for approval: ${e.existing.title}. Nothing more was done.`;
    throw e;
  }
}
