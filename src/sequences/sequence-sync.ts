import { quoteIdent, quoteLiteral, type Queryable } from '../db/database';
import { inBatches } from './batches';
import type { SequenceColumn, SequenceDef } from './sequence-catalog';
import { columnKey, qualifiedSequence, seqKey, type SequenceValues } from './sequence-values';

/**
 * One sequence of the cutover's sync: a query that sets it past its columns and the source (only
 * if it is not already there) and returns the columns' max and the sequence's next value.
 */
export interface SyncQuery {
  sequence: string;
  columns: SequenceColumn[];
  query: string;
}

// Each statement of a batch holds its locks until the batch ends: a few hundred tables per batch
// keep far below the server's lock table.
const BATCH = 250;
const LANES = 2;

const ownNext = (s: Pick<SequenceDef, 'seqSchema' | 'seqName' | 'increment'>) =>
  `(SELECT CASE WHEN is_called THEN last_value + ${s.increment} ELSE last_value END FROM ${qualifiedSequence(s)})`;

function syncQuery(def: Pick<SequenceDef, 'seqSchema' | 'seqName' | 'increment'>, columns: SequenceColumn[], gap: bigint, sourceNext: bigint | undefined): string {
  const up = def.increment > 0n;
  const pick = up ? 'GREATEST' : 'LEAST';
  const step = up ? def.increment + gap : def.increment - gap;
  const extremes = columns.map((c) => `(SELECT ${up ? 'max' : 'min'}(${quoteIdent(c.column)}) FROM ${quoteIdent(c.tableSchema)}.${quoteIdent(c.tableName)})`);
  const m = extremes.length ? `${pick}(${extremes.join(', ')})` : 'NULL::bigint';
  const want = `${pick}(m + ${step}, ${sourceNext === undefined ? 'NULL' : `${sourceNext}::bigint`}, own)`;
  // setval only when the value moves: a sequence already ahead is not written. OFFSET 0 keeps the
  // planner from pulling `own` up into the outer query, where it would be read again after setval.
  return `SELECT m, CASE WHEN moves THEN setval(${quoteLiteral(qualifiedSequence(def))}, want, false) ELSE own END AS v, moves AS c FROM (SELECT m, own, want, want <> own AS moves FROM (SELECT m, own, ${want} AS want FROM (SELECT ${m} AS m, ${ownNext(def)} AS own OFFSET 0) a OFFSET 0) b OFFSET 0) c`;
}

/**
 * The sync of every sequence of the target fed by columns the bot may read, and of every standalone
 * sequence of the source (by name), with the source's values of this moment written in.
 */
export function syncQueries(
  target: { columns: SequenceColumn[]; sequences: Map<string, SequenceDef> },
  source: { next: Map<string, bigint>; standalone: SequenceDef[] },
  gap: number,
): SyncQuery[] {
  const bySeq = new Map<string, SequenceColumn[]>();
  for (const c of target.columns) bySeq.set(seqKey(c), [...(bySeq.get(seqKey(c)) ?? []), c]);
  const out: SyncQuery[] = [];
  for (const [sequence, columns] of bySeq) {
    // Unreadable ones are left for the audit afterwards to name.
    if (!columns[0].canReadSequence || columns.some((c) => !c.canReadTable)) continue;
    out.push({ sequence, columns, query: syncQuery(columns[0], columns, BigInt(gap), source.next.get(sequence)) });
  }
  for (const s of source.standalone) {
    const onTarget = target.sequences.get(seqKey(s));
    const value = source.next.get(seqKey(s));
    if (!onTarget?.canReadSequence || value === undefined) continue;
    out.push({ sequence: seqKey(s), columns: [], query: syncQuery(onTarget, [], 0n, value) });
  }
  return out;
}

/**
 * Runs the sync queries in batches (the server runs each listed query, via query_to_xml, so one
 * round trip serves hundreds) and returns what each sequence and column holds afterwards, and how
 * many sequences moved.
 */
export async function runSync(db: Queryable, queries: SyncQuery[]): Promise<{ values: SequenceValues; moved: number }> {
  const values: SequenceValues = { next: new Map(), extreme: new Map() };
  let moved = 0;
  await inBatches(queries, BATCH, LANES, async (batch) => {
    const { rows } = await db.query<{ i: string; x: string }>(`SELECT i, query_to_xml(q, false, true, '')::text AS x FROM unnest($1::text[]) WITH ORDINALITY AS w(q, i)`, [batch.map((q) => q.query)]);
    for (const r of rows) {
      const q = batch[Number(r.i) - 1];
      const m = /<m>([^<]*)<\/m>/.exec(r.x)?.[1];
      const v = /<v>([^<]*)<\/v>/.exec(r.x)?.[1];
      if (v === undefined) throw new Error(`the sync of ${q.sequence} returned no value`);
      values.next.set(q.sequence, BigInt(v));
      if (r.x.includes('<c>true</c>')) moved++;
      // A shared sequence's columns each get the max over all of them: the audit only uses that.
      for (const c of q.columns) values.extreme.set(columnKey(c), m === undefined ? null : BigInt(m));
    }
  });
  return { values, moved };
}
