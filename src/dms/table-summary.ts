import type { DmsTableStat } from './dms-port';

export interface TableSummary {
  total: number;
  byState: Record<string, number>;
  errored: DmsTableStat[];
  /** Tables with failed or suspended validation records, or a validation state that is not fine. */
  validationProblems: DmsTableStat[];
  loading: DmsTableStat[];
  /** Finished full loads, slowest first (top 10). */
  slowest: { table: DmsTableStat; ms: number }[];
  /** The newest statistics update among all tables (ms). */
  lastUpdatedAt?: number;
}

const ERRORED = new Set(['Table error', 'Error']);
const LOADING = new Set(['Before load', 'Full load', 'Table is being reloaded']);
const VALIDATION_BAD = new Set(['Mismatched records', 'Failed', 'Suspended records', 'Error', 'Table error', 'Failed records']);

/** One pass over every table's statistics (tens of thousands of rows) into what people need to see. */
export function summariseTables(rows: DmsTableStat[], topN = 10): TableSummary {
  const byState: Record<string, number> = {};
  const errored: DmsTableStat[] = [];
  const validationProblems: DmsTableStat[] = [];
  const loading: DmsTableStat[] = [];
  const slow: { table: DmsTableStat; ms: number }[] = [];
  let lastUpdatedAt: number | undefined;
  for (const r of rows) {
    byState[r.state] = (byState[r.state] ?? 0) + 1;
    if (ERRORED.has(r.state) || r.fullLoadErrorRows > 0) errored.push(r);
    if (LOADING.has(r.state)) loading.push(r);
    if (r.validationFailed > 0 || r.validationSuspended > 0 || (r.validationState !== undefined && VALIDATION_BAD.has(r.validationState))) validationProblems.push(r);
    if (r.fullLoadStartedAt !== undefined && r.fullLoadEndedAt !== undefined) {
      const took = r.fullLoadEndedAt - r.fullLoadStartedAt;
      // Keep only the top N as we go, so 20,000 rows never get sorted whole.
      if (slow.length < topN || took > slow[slow.length - 1].ms) {
        slow.push({ table: r, ms: took });
        slow.sort((a, b) => b.ms - a.ms);
        if (slow.length > topN) slow.pop();
      }
    }
    if (r.lastUpdatedAt !== undefined && (lastUpdatedAt === undefined || r.lastUpdatedAt > lastUpdatedAt)) lastUpdatedAt = r.lastUpdatedAt;
  }
  return { total: rows.length, byState, errored, validationProblems, loading, slowest: slow, lastUpdatedAt };
}

export const tableName = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;
