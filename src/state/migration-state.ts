import type { Plan } from '../plan/plan';
import { updateJson } from './compare-and-set';
import { inStore } from './state-store';
import type { Keys } from './keys';
import type { StateStore } from './state-store';

/**
 * Where a hop is: pending (an earlier hop is not done) → streaming (current; may be cut over) →
 * cutting-over → done; done → rolling-back → rolled-back (current again; may be cut over again).
 * The transitions live in src/migration/migration-machine.ts; nothing else changes a hop's status.
 */
export type HopStatus = 'pending' | 'streaming' | 'cutting-over' | 'done' | 'rolling-back' | 'rolled-back';

export interface HopProgress {
  status: HopStatus;
  /** When the hop entered its status. */
  since?: number;
  /** The cutover run the status belongs to (cutting-over, done, rolling-back, rolled-back). */
  runId?: string;
  /** A destructive DMS action (reload) under way: a cutover may not start until it ends or expires. */
  dmsClaim?: { by: string; until: number };
  /** The roll back under way (rolling-back): who runs it and until when; an expired one was left by a dead process. */
  rollBackClaim?: { by: string; until: number };
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
  /** Grows on every hop transition: a button, request or alert made for an older epoch is stale. */
  epoch: number;
  revision: number;
  updatedAt: number;
}

/** The state of a migration that has not started yet. */
export function initialMigration(plan: Plan): MigrationRecord {
  return {
    currentHop: plan.hops[0].id,
    hops: Object.fromEntries(plan.hops.map((h, i) => [h.id, { status: (i === 0 ? 'streaming' : 'pending') as HopStatus }])),
    epoch: 0,
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

  get key(): string {
    return this.keys.migration;
  }

  async read(): Promise<MigrationRecord> {
    return parseMigration(await readRaw(this.redis, this.keys.migration), this.plan);
  }

  /**
   * Applies `change` atomically. `change` returns the new record, or undefined to leave it as it
   * is, plus a result for the caller; it may run more than once under contention, so it must be pure.
   */
  async update<R>(change: (current: MigrationRecord) => { next?: MigrationRecord; result: R }, now = Date.now()): Promise<R> {
    const out = await updateJson<MigrationRecord, R>(this.redis, this.keys.migration, (stored) => {
      const current = normalised(stored, this.plan);
      const { next, result } = change(current);
      return { next: next && { ...next, revision: current.revision + 1, updatedAt: now }, result };
    });
    return out.result;
  }
}

async function readRaw(redis: StateStore, key: string): Promise<string | null> {
  return inStore(() => redis.get(key));
}

/** The record stored as `raw` (null when none yet), with every hop of the plan and the fields older versions lacked. */
export function parseMigration(raw: string | null, plan: Plan): MigrationRecord {
  return normalised(raw === null ? undefined : (JSON.parse(raw) as MigrationRecord), plan);
}

/** The new value of the record as it is written: revision and time advanced. */
export function nextMigration(current: MigrationRecord, next: MigrationRecord, now: number): MigrationRecord {
  return { ...next, revision: current.revision + 1, updatedAt: now };
}

function normalised(stored: MigrationRecord | undefined, plan: Plan): MigrationRecord {
  if (!stored) return initialMigration(plan);
  const initial = initialMigration(plan);
  const hops: Record<string, HopProgress> = {};
  for (const [id, h] of Object.entries({ ...initial.hops, ...stored.hops })) {
    // Records written before the state machine said "syncing" and kept step lists here.
    const status = (h.status as string) === 'syncing' ? 'streaming' : h.status;
    hops[id] = { status, since: h.since, runId: h.runId, dmsClaim: h.dmsClaim, rollBackClaim: h.rollBackClaim };
  }
  const current = hops[stored.currentHop];
  if (current?.status === 'pending') hops[stored.currentHop] = { ...current, status: 'streaming' };
  return { ...stored, hops, epoch: stored.epoch ?? 0 };
}
