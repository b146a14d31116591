import type { Queryable } from '../src/db/database';

/** Wraps a database port and counts the statements sent through it and the time they took. */
export function countingQueryable(db: Queryable): Queryable & { stats: { queries: number; ms: number }; reset(): void } {
  const stats = { queries: 0, ms: 0 };
  return {
    stats,
    reset() {
      stats.queries = 0;
      stats.ms = 0;
    },
    async query(sql, params) {
      const t = performance.now();
      try {
        return await db.query(sql, params);
      } finally {
        stats.queries++;
        stats.ms += performance.now() - t;
      }
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
