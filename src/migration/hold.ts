import type { MigrationRecord } from '../state/migration-state';

export type PlaceHoldOutcome = { placed: true } | { placed: false; existing: NonNullable<MigrationRecord['hold']> };

/** Places a hold; a second hold does not replace the first (lift it first), an identical one is a no-op. */
export function placeHold(m: MigrationRecord, reason: string, by: string, at: number): { next?: MigrationRecord; result: PlaceHoldOutcome } {
  if (m.hold) return { result: { placed: false, existing: m.hold } };
  return { next: { ...m, hold: { reason, by, at } }, result: { placed: true } };
}

export function liftHold(m: MigrationRecord): { next?: MigrationRecord; result: MigrationRecord['hold'] } {
  if (!m.hold) return { result: undefined };
  const { hold, ...rest } = m;
  return { next: rest, result: hold };
}
