import { codeHash, type ApprovalAction } from '../approvals/approval-service';
import { requestEpoch } from '../cutover/cutover-approval-actions';
import { maySequenceFix } from '../migration/migration-machine';
import { hopById, type Plan } from '../plan/plan';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import { fixShortfall, needsFix } from './sequence-audit';
import type { FixStatement } from './sequence-fix';
import { sequenceFixFile } from './sequence-fix-file';
import type { SequenceService, SourceValuesUsed } from './sequence-service';

/**
 * What an approved sequence fix runs: exactly the statements whose hash was shown, if the requester
 * still holds the lock, with the source's values read now.
 */
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
        const sql = req.params.statements as FixStatement[];
        const hash = codeHash(sequenceFixFile(hop.id, hop.target.id, sql));
        if (!req.code || hash !== req.code.sha256) {
          throw new Error(`the statements to run are not the ones shown (sha256 ${hash.slice(0, 12)}… ≠ ${req.code?.sha256.slice(0, 12) ?? 'none'}…); nothing was run`);
        }
        const { audit: before } = await deps.sequences.audit(hop);
        const { audit: after, used } = await deps.sequences.apply(hop, sql);
        const ran = `${sql.length} statements ran in one transaction${valuesUsed(sql, used)}`;
        if (!needsFix(after)) return `${ran}; audit afterwards: no sequence behind, no lost default`;
        const { unfixed, overtaken } = fixShortfall(before, after);
        if (unfixed.length) throw new Error(`${ran}, but the audit afterwards finds ${unfixed.length} not fixed: ${unfixed.slice(0, 5).join(', ')}`);
        return `${ran}; every sequence passed its column's max. Replication has since moved ${overtaken.length} behind again (the source still takes writes): the cutover fixes them once writes stop`;
      },
    ],
  ];
}

/** "with the source's next values read at 09:45:41 UTC: public.orders_id_seq 1502 (1202 at request time); 39 more as at request time" */
function valuesUsed(sql: FixStatement[], used: SourceValuesUsed): string {
  const seen = new Map(sql.flatMap((s) => (s.sourceNextOf ? [[s.sourceNextOf, s.seenAtPlan] as const] : [])));
  if (!seen.size) return '';
  const moved = [...seen].filter(([name, atRequest]) => used.values[name] !== atRequest);
  const shown = moved.slice(0, 5).map(([name, atRequest]) => `${name} ${used.values[name]} (${atRequest} at request time)`);
  const parts = [
    ...(shown.length ? [shown.join(', ') + (moved.length > shown.length ? `, and ${moved.length - shown.length} more that moved` : '')] : []),
    ...(seen.size > moved.length ? [`${seen.size - moved.length} ${moved.length ? 'more ' : ''}as at request time`] : []),
  ];
  return ` with the source's next values read at ${new Date(used.readAt).toISOString().slice(11, 19)} UTC: ${parts.join('; ')}`;
}
