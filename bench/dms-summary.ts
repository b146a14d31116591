// How long summarising 20,000 DMS table-statistics rows takes (errored, validation, loading, slowest).
import type { DmsTableStat } from '../src/dms/dms-port';
import { summariseTables } from '../src/dms/table-summary';
import { percentile } from './counting-queryable';
import type { Figure } from './sampling-round';

export function benchDmsSummary(rows = 20_000, runs = 50): Figure[] {
  const now = Date.now();
  const states = ['Table completed', 'Table completed', 'Table completed', 'Full load', 'Before load', 'Table error'];
  const stats: DmsTableStat[] = Array.from({ length: rows }, (_, i) => ({
    schema: `s${i % 20}`,
    table: `t_${i}`,
    state: states[i % states.length],
    fullLoadRows: i * 10,
    inserts: i,
    updates: i,
    deletes: 0,
    fullLoadErrorRows: i % 997 === 0 ? 3 : 0,
    fullLoadStartedAt: now - 3600_000,
    fullLoadEndedAt: now - 3600_000 + ((i * 7919) % 3600_000),
    lastUpdatedAt: now - (i % 60_000),
    validationState: i % 499 === 0 ? 'Mismatched records' : 'Validated',
    validationFailed: i % 499 === 0 ? 2 : 0,
    validationPending: 0,
    validationSuspended: 0,
  }));
  for (let i = 0; i < 5; i++) summariseTables(stats);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    summariseTables(stats);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return [{ name: 'DMS: summarise 20,000 table-statistics rows, p50 / p99', value: `${percentile(times, 50).toFixed(2)} / ${percentile(times, 99).toFixed(2)} ms`, how: `${runs} runs after 5 warm-up runs, in process (the rows as the SDK returns them, mapped)` }];
}
