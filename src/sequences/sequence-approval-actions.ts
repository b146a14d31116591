import type { ApprovalAction } from '../approvals/approval-service';
import { hopById, type Plan } from '../plan/plan';
import type { MigrationLock } from '../state/migration-lock';
import { needsFix } from './sequence-audit';
import type { SequenceService } from './sequence-service';

/** What an approved sequence fix runs: exactly the SQL that was shown, if the requester still holds the lock. */
export function sequenceApprovalActions(deps: { plan: Plan; sequences: SequenceService; lock: MigrationLock }): [string, ApprovalAction][] {
  return [
    [
      'sequences.fix',
      async (req) => {
        const lock = await deps.lock.read();
        if (!lock || lock.holder !== req.requester) throw new Error('the requester no longer holds the migration lock; nothing was run');
        const hop = hopById(deps.plan, String(req.params.hop));
        if (!hop) throw new Error(`no hop ${String(req.params.hop)}`);
        const sql = req.params.sql as string[];
        const { audit } = await deps.sequences.apply(hop, sql);
        const behind = audit.findings.filter((f) => f.problems.includes('behind') || f.problems.includes('behind-source')).length;
        if (needsFix(audit)) throw new Error(`${sql.length} statements ran, but the audit afterwards still finds ${behind} sequences behind and ${audit.missingDefaults.length} lost defaults`);
        return `${sql.length} statements ran in one transaction; audit afterwards: no sequence behind, no lost default`;
      },
    ],
  ];
}
