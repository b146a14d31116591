import type { CutoverRunStore } from '../cutover/cutover-run';
import type { Plan } from '../plan/plan';
import type { ApprovalStore } from '../state/approval-store';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import type { SampleStore } from '../state/sample-store';
import type { MetricRecords } from './metric-records';
import type { MetricSources } from './metrics-snapshot';

/** The bot's stores a scrape reads. */
export interface MetricStores {
  samples: SampleStore;
  runs: CutoverRunStore;
  records: MetricRecords;
  migration: MigrationState;
  lock: MigrationLock;
  approvalStore: ApprovalStore;
}

/** The scrape's ports over the bot's stores; `stores` is asked on each scrape, so the wiring may build them after the route. */
export function metricSources(plan: Plan, stores: () => MetricStores, runsJobs: () => boolean, processId: string): MetricSources {
  return {
    plan,
    latestSample: (hop) => stores().samples.latest(hop),
    run: (hop) => stores().runs.get(hop),
    gates: (hop) => stores().records.gates(hop),
    dms: (hop) => stores().records.dms(hop),
    migration: () => stores().migration.read(),
    lock: () => stores().lock.read(),
    pendingApprovals: async () => (await stores().approvalStore.pending()).length,
    runsJobs,
    processId,
  };
}
