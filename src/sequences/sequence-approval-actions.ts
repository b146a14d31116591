import type { ApprovalAction } from '../approvals/approval-service';
import { requestEpoch } from '../cutover/cutover-approval-actions';
import { maySequenceFix } from '../migration/migration-machine';
import { hopById, type Plan } from '../plan/plan';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import { fixShortfall, needsFix } from './sequence-audit';
import type { SequenceService } from './sequence-service';

/** What an approved sequence fix runs: exactly the SQL that was shown, if the requester still holds the lock. */
export function sequenceApprovalActions(deps: { plan: Plan; sequences: SequenceService; lock: MigrationLock; migration: MigrationState }): [string, ApprovalAction][] {
  return [
    [
      'sequences.fix',
      async (req) => {
        const lock = await deps.lock.read();
        if (!lock || lock.holder !== req.requester) throw new Error('the requester no longer holds the migration lock; nothing was run');
        const hop = hopById(deps.plan, String(req.params.hop));
        if (!hop) throw new Error(`no hop ${String(req.params.hop)}`);
        const allowed = maySequenceFix(await deps.migration.read(), hop.id, requestEpoch(req));
        if (!allowed.ok) throw new Error(allowed.why);
        const sql = req.params.sql as string[];
        const { audit: before } = await deps.sequences.audit(hop);
        const { audit: after } = await deps.sequences.apply(hop, sql);
        if (!needsFix(after)) return `${sql.length} statements ran in one transaction; audit afterwards: no sequence behind, no lost default`;
        const { unfixed, overtaken } = fixShortfall(before, after);
        if (unfixed.length) throw new Error(`${sql.length} statements ran, but the audit afterwards finds ${unfixed.length} not fixed: ${unfixed.slice(0, 5).join(', ')}`);
        return `${sql.length} statements ran in one transaction; every sequence passed its column's max. Replication has since moved ${overtaken.length} behind again (the source still takes writes): the cutover fixes them once writes stop`;
      },
    ],
  ];
}
