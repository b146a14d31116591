import { claimDmsAction, releaseDmsClaim } from '../migration/migration-machine';
import type { Hop } from '../plan/plan';
import type { MigrationState } from '../state/migration-state';

// Longer than any one DMS API call with its retries: an expired claim frees the hop if this process dies.
const CLAIM_MS = 2 * 60_000;

/**
 * Runs a DMS action on a hop only if the migration allows it now: never once the hop's cutover began,
 * never a destructive one (a reload, a fresh start) after a roll back or for a stale request. A
 * destructive action claims the hop in the same atomic step, so no cutover starts while it runs.
 */
export async function guardedDmsAction<T>(
  migration: MigrationState,
  hop: Hop,
  a: { destructive: boolean; by: string; epoch?: number },
  action: () => Promise<T>,
): Promise<T> {
  const claimant = `${a.by}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`;
  const refusal = await migration.update((m) => {
    const d = claimDmsAction(m, hop.id, { destructive: a.destructive, by: claimant, now: Date.now(), ttlMs: CLAIM_MS, epoch: a.epoch });
    if (!d.ok) return { result: d.why };
    return { next: a.destructive ? d.next : undefined, result: undefined };
  });
  if (refusal) throw new DmsActionRefused(refusal);
  try {
    return await action();
  } finally {
    if (a.destructive) await migration.update((m) => ({ next: releaseDmsClaim(m, hop.id, claimant), result: undefined })).catch(() => undefined);
  }
}

export class DmsActionRefused extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'DmsActionRefused';
  }
}
