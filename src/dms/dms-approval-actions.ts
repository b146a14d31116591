import type { ApprovalAction } from '../approvals/approval-service';
import type { ApprovalRequest } from '../approvals/approval-request';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { MigrationLock } from '../state/migration-lock';
import type { DmsMonitor } from './dms-monitor';
import { tableName } from './table-summary';

/** What DMS approvals run: a full reload of the target, or a reload of some tables. */
export function dmsApprovalActions(deps: { plan: Plan; dms: DmsMonitor; lock: MigrationLock }): [string, ApprovalAction][] {
  // The requester asked while holding the lock; the action runs only if they still hold it.
  const hopFor = async (req: ApprovalRequest): Promise<Hop> => {
    const lock = await deps.lock.read();
    if (!lock || lock.holder !== req.requester) throw new Error('the requester no longer holds the migration lock; nothing was run');
    const hop = hopById(deps.plan, String(req.params.hop));
    if (!hop || hop.method !== 'dms') throw new Error(`hop ${String(req.params.hop)} is not a dms hop`);
    return hop;
  };
  return [
    [
      'dms.reload-target',
      async (req) => {
        const task = await deps.dms.start(await hopFor(req), 'reload-target');
        return `DMS task ${task.id} restarted with reload-target: ${task.status}`;
      },
    ],
    [
      'dms.reload-tables',
      async (req) => {
        const tables = req.params.tables as { schema: string; table: string }[];
        await deps.dms.reload(await hopFor(req), tables);
        return `reload requested for ${tables.map(tableName).join(', ')}`;
      },
    ],
  ];
}
