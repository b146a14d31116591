import type { ApprovalAction } from '../approvals/approval-service';
import type { ApprovalRequest } from '../approvals/approval-request';
import { requestEpoch } from '../cutover/cutover-approval-actions';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import { guardedDmsAction } from './dms-guard';
import type { DmsMonitor } from './dms-monitor';
import { tableName } from './table-summary';

/** What DMS approvals run: a full reload of the target, or a reload of some tables. */
export function dmsApprovalActions(deps: { plan: Plan; dms: DmsMonitor; lock: MigrationLock; migration: MigrationState }): [string, ApprovalAction][] {
  // The requester asked while holding the lock; the action runs only if they still hold it, and only if the migration still allows it.
  const guarded = async <T>(req: ApprovalRequest, action: (hop: Hop) => Promise<T>): Promise<T> => {
    const lock = await deps.lock.read();
    if (!lock || lock.holder !== req.requester) throw new Error('the requester no longer holds the migration lock; nothing was run');
    const hop = hopById(deps.plan, String(req.params.hop));
    if (!hop || hop.method !== 'dms') throw new Error(`hop ${String(req.params.hop)} is not a dms hop`);
    return guardedDmsAction(deps.migration, hop, { destructive: true, by: req.requester, epoch: requestEpoch(req) }, () => action(hop));
  };
  return [
    [
      'dms.reload-target',
      async (req) => {
        const task = await guarded(req, (hop) => deps.dms.start(hop, 'reload-target'));
        return `DMS task ${task.id} restarted with reload-target: ${task.status}`;
      },
    ],
    [
      'dms.reload-tables',
      async (req) => {
        const tables = req.params.tables as { schema: string; table: string }[];
        await guarded(req, (hop) => deps.dms.reload(hop, tables));
        return `reload requested for ${tables.map(tableName).join(', ')}`;
      },
    ],
  ];
}
