import type { ApprovalService } from '../approvals/approval-service';
import type { Hop } from '../plan/plan';
import type { MigrationState } from '../state/migration-state';
import type { CutoverRun } from './cutover-run';

/** Asks the team to approve again the Resume of a run that stopped too long ago; returns what to tell the person. */
export function resumeApprovalRequester(approvals: ApprovalService, migration: MigrationState) {
  return async (hop: Hop, run: CutoverRun, user: string): Promise<string> => {
    const req = await approvals.request({
      kind: 'cutover.resume',
      title: `Resume the cutover of ${hop.id} (run ${run.id})`,
      steps: [`Resume run ${run.id} of ${hop.id} from its first unfinished step, after every gate is checked again`],
      params: { hop: hop.id, run: run.id, epoch: (await migration.read()).epoch },
      requester: user,
      exclusive: `cutover:${hop.id}`,
    });
    return `An approval request to resume is in the channel (${req.id}).`;
  };
}
