import type { Queryable } from '../db/database';

/** One column fed by a sequence, as the catalog tells it. */
export interface SequenceColumn {
  seqSchema: string;
  seqName: string;
  tableSchema: string;
  tableName: string;
  column: string;
  columnType: string;
  /** owned (serial), identity, or default (referenced from a nextval default only, e.g. shared). */
  kind: 'owned' | 'identity' | 'default';
  identity: '' | 'a' | 'd';
  increment: number;
  min: number;
  max: number;
  start: number;
  canReadSequence: boolean;
  canReadTable: boolean;
  partitioned: boolean;
}

/**
 * Every sequence that feeds a column, in one catalog query: owned (pg_depend 'a'), identity
 * (pg_depend 'i'), and sequences only referenced from a column's nextval default (pg_attrdef).
 * Partitions are left out (their parent covers them).
 */
export async function readSequenceColumns(db: Queryable): Promise<SequenceColumn[]> {
  const { rows } = await db.query<{
    seq_schema: string;
    seq_name: string;
    table_schema: string;
    table_name: string;
    column_name: string;
    column_type: string;
    kind: SequenceColumn['kind'];
    attidentity: '' | 'a' | 'd';
    seqincrement: string;
    seqmin: string;
    seqmax: string;
    seqstart: string;
    can_read_seq: boolean;
    can_read_table: boolean;
    relkind: string;
  }>(`
    WITH fed AS (
      SELECT d.objid AS seqid, d.refobjid AS tableid, d.refobjsubid AS attnum,
             CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned' END AS kind
        FROM pg_depend d
       WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
         AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
      UNION
      SELECT d.refobjid, ad.adrelid, ad.adnum, 'default'
        FROM pg_attrdef ad
        JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
    )
    SELECT DISTINCT ON (fed.seqid, fed.tableid, fed.attnum)
           sn.nspname AS seq_schema, s.relname AS seq_name, tn.nspname AS table_schema, t.relname AS table_name,
           a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type, fed.kind, a.attidentity,
           sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqstart,
           has_sequence_privilege(s.oid, 'SELECT') AS can_read_seq,
           has_table_privilege(t.oid, 'SELECT') AS can_read_table,
           t.relkind
      FROM fed
      JOIN pg_class s ON s.oid = fed.seqid AND s.relkind = 'S'
      JOIN pg_namespace sn ON sn.oid = s.relnamespace
      JOIN pg_sequence sq ON sq.seqrelid = s.oid
      JOIN pg_class t ON t.oid = fed.tableid AND t.relkind IN ('r', 'p') AND NOT t.relispartition
      JOIN pg_namespace tn ON tn.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = fed.attnum AND NOT a.attisdropped
     WHERE tn.nspname NOT IN ('pg_catalog', 'information_schema')
     ORDER BY fed.seqid, fed.tableid, fed.attnum, CASE fed.kind WHEN 'identity' THEN 0 WHEN 'owned' THEN 1 ELSE 2 END`);
  return rows.map((r) => ({
    seqSchema: r.seq_schema,
    seqName: r.seq_name,
    tableSchema: r.table_schema,
    tableName: r.table_name,
    column: r.column_name,
    columnType: r.column_type,
    kind: r.kind,
    identity: r.attidentity,
    increment: Number(r.seqincrement),
    min: Number(r.seqmin),
    max: Number(r.seqmax),
    start: Number(r.seqstart),
    canReadSequence: r.can_read_seq,
    canReadTable: r.can_read_table,
    partitioned: r.relkind === 'p',
  }));
}

/** Tables' integer columns with no default and no identity, by schema.table.column: candidates for a lost serial. */
export async function readPlainColumns(db: Queryable, wanted: { schema: string; table: string; column: string }[]): Promise<Set<string>> {
  if (!wanted.length) return new Set();
  const { rows } = await db.query<{ key: string }>(
    `SELECT tn.nspname || '.' || t.relname || '.' || a.attname AS key
       FROM unnest($1::text[], $2::text[], $3::text[]) AS w(s, t, c)
       JOIN pg_namespace tn ON tn.nspname = w.s
       JOIN pg_class t ON t.relnamespace = tn.oid AND t.relname = w.t AND t.relkind IN ('r', 'p')
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = w.c AND NOT a.attisdropped
      WHERE NOT a.atthasdef AND a.attidentity = ''`,
    [wanted.map((w) => w.schema), wanted.map((w) => w.table), wanted.map((w) => w.column)],
  );
  return new Set(rows.map((r) => r.key));
}

/** The names ("schema.sequence") of every sequence in the database. */
export async function readSequenceNames(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ key: string }>(
    `SELECT n.nspname || '.' || c.relname AS key FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S'`,
  );
  return new Set(rows.map((r) => r.key));
}
