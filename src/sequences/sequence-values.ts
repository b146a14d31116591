import { quoteIdent, type Queryable } from '../db/database';
import { inBatches } from './batches';
import type { SequenceColumn, SequenceDef } from './sequence-catalog';

export interface SequenceValues {
  /** By "schema.sequence": the value the next nextval() returns. */
  next: Map<string, bigint>;
  /** By "schema.table.column": max (or min, for a negative increment) of the column; null for an empty table. */
  extreme: Map<string, bigint | null>;
}

export const seqKey = (c: { seqSchema: string; seqName: string }) => `${c.seqSchema}.${c.seqName}`;
export const columnKey = (c: { tableSchema: string; tableName: string; column: string }) => `${c.tableSchema}.${c.tableName}.${c.column}`;
export const qualifiedSequence = (s: { seqSchema: string; seqName: string }) => `${quoteIdent(s.seqSchema)}.${quoteIdent(s.seqName)}`;

// Each relation read holds a lock until its statement ends: a statement over thousands of tables
// can exhaust the server's lock table (max_locks_per_transaction), so values are read in batches.
const BATCH = 500;
const LANES = 2;

/** SQL for a sequence's next value (what nextval() returns next), exact: numeric, never a float. */
export const nextValueSql = (s: SequenceDef) => `(SELECT CASE WHEN is_called THEN last_value::numeric + ${s.increment} ELSE last_value END FROM ${qualifiedSequence(s)})`;

/**
 * Every sequence's own last_value/is_called and every fed column's max (min for negative
 * increments). Sequences and tables the role may not read are left out; `standalone` sequences
 * (feeding no column) are read too. Each value is its own small query, run by the server from a
 * list (query_to_xml): planning one statement of thousands of UNION ALL arms costs far more.
 */
export async function readSequenceValues(db: Queryable, cols: SequenceColumn[], standalone: SequenceDef[] = [], options = { extremes: true }): Promise<SequenceValues> {
  const seqs = new Map<string, SequenceDef>();
  for (const s of [...cols, ...standalone]) if (s.canReadSequence) seqs.set(seqKey(s), s);
  const queries: string[] = [];
  const labels: string[] = [];
  for (const [key, s] of seqs) {
    labels.push(`s:${key}`);
    queries.push(`SELECT ${nextValueSql(s)} AS v`);
  }
  const seen = new Set<string>();
  for (const c of cols) {
    const key = columnKey(c);
    if (!options.extremes || !c.canReadTable || seen.has(key)) continue;
    seen.add(key);
    labels.push(`c:${key}`);
    queries.push(`SELECT ${c.increment < 0n ? 'min' : 'max'}(${quoteIdent(c.column)}) AS v FROM ${quoteIdent(c.tableSchema)}.${quoteIdent(c.tableName)}`);
  }
  const out: SequenceValues = { next: new Map(), extreme: new Map() };
  await inBatches(queries, BATCH, LANES, async (batch, from) => {
    const { rows } = await db.query<{ i: string; v: string | null }>(
      // A NULL (an empty table) leaves the element out, and the substring is NULL.
      `SELECT i, substring(query_to_xml(q, false, true, '')::text FROM '<v>([^<]*)</v>') AS v FROM unnest($1::text[]) WITH ORDINALITY AS w(q, i)`,
      [batch],
    );
    for (const r of rows) {
      const label = labels[from + Number(r.i) - 1];
      const v = r.v === null ? null : BigInt(r.v);
      if (label.startsWith('s:')) out.next.set(label.slice(2), v as bigint);
      else out.extreme.set(label.slice(2), v);
    }
  });
  return out;
}
