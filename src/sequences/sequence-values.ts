import { quoteIdent, type Queryable } from '../db/database';
import type { SequenceColumn } from './sequence-catalog';

export interface SequenceValues {
  /** By "schema.sequence": the value the next nextval() returns. */
  next: Map<string, number>;
  /** By "schema.table.column": max (or min, for a negative increment) of the column; null for an empty table. */
  extreme: Map<string, number | null>;
}

export const seqKey = (c: { seqSchema: string; seqName: string }) => `${c.seqSchema}.${c.seqName}`;
export const columnKey = (c: { tableSchema: string; tableName: string; column: string }) => `${c.tableSchema}.${c.tableName}.${c.column}`;

// Each relation read holds a lock until its statement ends: a statement over thousands of tables
// can exhaust the server's lock table (max_locks_per_transaction), so values are read in batches.
const BATCH = 200;

/**
 * Every sequence's own last_value/is_called and every fed column's max (min for negative
 * increments), a few hundred per statement. Sequences and tables the role may not read are left out.
 */
export async function readSequenceValues(db: Queryable, cols: SequenceColumn[]): Promise<SequenceValues> {
  const seqs = new Map<string, SequenceColumn>();
  for (const c of cols) if (c.canReadSequence) seqs.set(seqKey(c), c);
  const parts: string[] = [];
  const labels: string[] = [];
  for (const [key, c] of seqs) {
    labels.push(`s:${key}`);
    parts.push(`SELECT ${parts.length} AS i, (CASE WHEN is_called THEN last_value + ${c.increment} ELSE last_value END)::numeric AS v FROM ${quoteIdent(c.seqSchema)}.${quoteIdent(c.seqName)}`);
  }
  const seen = new Set<string>();
  for (const c of cols) {
    const key = columnKey(c);
    if (!c.canReadTable || seen.has(key)) continue;
    seen.add(key);
    labels.push(`c:${key}`);
    parts.push(`SELECT ${parts.length} AS i, (SELECT ${c.increment < 0 ? 'min' : 'max'}(${quoteIdent(c.column)}) FROM ${quoteIdent(c.tableSchema)}.${quoteIdent(c.tableName)})::numeric AS v`);
  }
  const out: SequenceValues = { next: new Map(), extreme: new Map() };
  const rows: { i: number; v: string | null }[] = [];
  for (let from = 0; from < parts.length; from += BATCH) {
    rows.push(...(await db.query<{ i: number; v: string | null }>(parts.slice(from, from + BATCH).join('\nUNION ALL\n'))).rows);
  }
  for (const r of rows) {
    const label = labels[r.i];
    const v = r.v === null ? null : Number(r.v);
    if (label.startsWith('s:')) out.next.set(label.slice(2), v as number);
    else out.extreme.set(label.slice(2), v);
  }
  return out;
}
