import type { Plan } from '../plan/plan';
import { readJson, updateJson } from './compare-and-set';
import type { Keys } from './keys';
import type { StateStore } from './state-store';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export type HopStatus = 'pending' | 'syncing' | 'cutting-over' | 'done';

export interface StepRecord {
  status: StepStatus;
  startedAt?: number;
  finishedAt?: number;
  result?: string;
}

export interface HopProgress {
  status: HopStatus;
  steps: Record<string, StepRecord>;
}

/** A human "not today" that blocks cutover until lifted. */
export interface Hold {
  reason: string;
  by: string;
  at: number;
}

export interface MigrationRecord {
  currentHop: string;
  hops: Record<string, HopProgress>;
  hold?: Hold;
  revision: number;
  updatedAt: number;
}

/** The state of a migration that has not started yet. */
export function initialMigration(plan: Plan): MigrationRecord {
  return {
    currentHop: plan.hops[0].id,
    hops: Object.fromEntries(plan.hops.map((h) => [h.id, { status: 'pending' as HopStatus, steps: {} }])),
    revision: 0,
    updatedAt: 0,
  };
}

/** The migration's progress in Redis: every change is an atomic read-modify-write. */
export class MigrationState {
  constructor(
    private readonly redis: StateStore,
    private readonly keys: Pick<Keys, 'migration'>,
    private readonly plan: Plan,
  ) {}

  async read(): Promise<MigrationRecord> {
    return (await readJson<MigrationRecord>(this.redis, this.keys.migration)) ?? initialMigration(this.plan);
  }

  /**
   * Applies `change` atomically. `change` returns the new record, or undefined to leave it as it
   * is, plus a result for the caller; it may run more than once under contention, so it must be pure.
   */
  async update<R>(change: (current: MigrationRecord) => { next?: MigrationRecord; result: R }, now = Date.now()): Promise<R> {
    const out = await updateJson<MigrationRecord, R>(this.redis, this.keys.migration, (stored) => {
      const current = stored ?? initialMigration(this.plan);
      const { next, result } = change(current);
      return { next: next && { ...next, revision: current.revision + 1, updatedAt: now }, result };
    });
    return out.result;
  }
}
