import type { ApprovalRequest } from '../approvals/approval-request';
import type { LagSample } from '../checks/lag-sample';
import type { CutoverRun } from '../cutover/cutover-run';
import type { DmsFigures, GateRecord } from '../metrics/metric-records';
import type { Plan } from '../plan/plan';
import type { LockRecord } from '../state/migration-lock';
import type { MigrationRecord } from '../state/migration-state';
import { HOME_TREND_MS, type HomeInput } from '../views/home-view';

/** The records the Home tab reads: the same ones `status`, the gates and /metrics keep. */
export interface HomeSources {
  plan: Plan;
  migration: { read(): Promise<MigrationRecord> };
  runs: { get(hop: string): Promise<CutoverRun | undefined> };
  records: { gates(hop: string): Promise<GateRecord | null>; dms(hop: string): Promise<DmsFigures | null> };
  samples: { since(hop: string, since: number): Promise<LagSample[]> };
  lock: { read(): Promise<LockRecord | undefined> };
  approvalStore: { pending(): Promise<ApprovalRequest[]> };
}

/** Reads what the Home tab shows, for the current hop, at `now`. */
export async function readHomeState(s: HomeSources, now: number): Promise<Omit<HomeInput, 'workspaceUrl'>> {
  const migration = await s.migration.read();
  const hop = migration.currentHop;
  const isDms = s.plan.hops.find((h) => h.id === hop)?.method === 'dms';
  const [run, gates, lagTrend, dms, lock, pending] = await Promise.all([
    s.runs.get(hop),
    s.records.gates(hop),
    s.samples.since(hop, now - HOME_TREND_MS),
    isDms ? s.records.dms(hop) : Promise.resolve(null),
    s.lock.read(),
    s.approvalStore.pending(),
  ]);
  return { plan: s.plan, migration, run, gates, lagTrend, dms, lock, pending };
}
