import type { Queryable } from '../db/database';

/** A sequence's own definition. Values are bigint: a bigint sequence's numbers do not fit a JS number past 2^53. */
export interface SequenceDef {
  seqSchema: string;
  seqName: string;
  /** smallint, integer or bigint. */
  dataType: string;
  increment: bigint;
  min: bigint;
  max: bigint;
  start: bigint;
  cycle: boolean;
  canReadSequence: boolean;
}

/** One column fed by a sequence, as the catalog tells it. */
export interface SequenceColumn extends SequenceDef {
  tableSchema: string;
  tableName: string;
  column: string;
  columnType: string;
  /** owned (serial), identity, or default (referenced from a nextval default only, e.g. shared). */
  kind: 'owned' | 'identity' | 'default';
  identity: '' | 'a' | 'd';
  canReadTable: boolean;
  partitioned: boolean;
}

interface DefRow {
  seq_schema: string;
  seq_name: string;
  seq_type: string;
  seqincrement: string;
  seqmin: string;
  seqmax: string;
  seqstart: string;
  seqcycle: boolean;
  can_read_seq: boolean;
}

const DEF_COLUMNS = `sn.nspname AS seq_schema, s.relname AS seq_name, format_type(sq.seqtypid, NULL) AS seq_type,
           sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqstart, sq.seqcycle,
           has_sequence_privilege(s.oid, 'SELECT') AS can_read_seq`;

// Every (sequence, table, column) a sequence feeds: owned (pg_depend 'a'), identity ('i'), or named in a
// default; one row each (a serial column is both owned and named in its default), narrowed before
// anything wide is joined: at 10,000 tables the wide sort spilled to disk.
const FED = `
    fed AS (
      SELECT DISTINCT ON (seqid, tableid, attnum) seqid, tableid, attnum, kind
        FROM (
          SELECT d.objid AS seqid, d.refobjid AS tableid, d.refobjsubid AS attnum,
                 CASE d.deptype WHEN 'i' THEN 'identity' ELSE 'owned' END AS kind
            FROM pg_depend d
           WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
             AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
          UNION ALL
          SELECT d.refobjid, ad.adrelid, ad.adnum, 'default'
            FROM pg_attrdef ad
            JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
        ) f
       ORDER BY seqid, tableid, attnum, CASE kind WHEN 'identity' THEN 0 WHEN 'owned' THEN 1 ELSE 2 END
    )`;

const toDef = (r: DefRow): SequenceDef => ({
  seqSchema: r.seq_schema,
  seqName: r.seq_name,
  dataType: r.seq_type,
  increment: BigInt(r.seqincrement),
  min: BigInt(r.seqmin),
  max: BigInt(r.seqmax),
  start: BigInt(r.seqstart),
  cycle: r.seqcycle,
  canReadSequence: r.can_read_seq,
});

/**
 * Every sequence that feeds a column, in one catalog query: owned (pg_depend 'a'), identity
 * (pg_depend 'i'), and sequences only referenced from a column's nextval default (pg_attrdef).
 * Partitions are left out (their parent covers them).
 */
export async function readSequenceColumns(db: Queryable): Promise<SequenceColumn[]> {
  const { rows } = await db.query<DefRow & {
    table_schema: string;
    table_name: string;
    column_name: string;
    column_type: string;
    kind: SequenceColumn['kind'];
    attidentity: '' | 'a' | 'd';
    can_read_table: boolean;
    relkind: string;
  }>(`
    WITH ${FED}
    SELECT ${DEF_COLUMNS},
           tn.nspname AS table_schema, t.relname AS table_name,
           a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS column_type, fed.kind, a.attidentity,
           has_table_privilege(t.oid, 'SELECT') AS can_read_table,
           t.relkind
      FROM fed
      JOIN pg_class s ON s.oid = fed.seqid AND s.relkind = 'S'
      JOIN pg_namespace sn ON sn.oid = s.relnamespace
      JOIN pg_sequence sq ON sq.seqrelid = s.oid
      JOIN pg_class t ON t.oid = fed.tableid AND t.relkind IN ('r', 'p') AND NOT t.relispartition
      JOIN pg_namespace tn ON tn.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = fed.attnum AND NOT a.attisdropped
     WHERE tn.nspname NOT IN ('pg_catalog', 'information_schema')`);
  // Sorted here, by name: a sort of these wide rows in the server spills to disk at 10,000 tables.
  const byName = (r: { seq_schema: string; seq_name: string; table_schema: string; table_name: string; column_name: string }) => `${r.seq_schema}\u0000${r.seq_name}\u0000${r.table_schema}\u0000${r.table_name}\u0000${r.column_name}`;
  rows.sort((a, b) => (byName(a) < byName(b) ? -1 : byName(a) > byName(b) ? 1 : 0));
  return rows.map((r) => ({
    ...toDef(r),
    tableSchema: r.table_schema,
    tableName: r.table_name,
    column: r.column_name,
    columnType: r.column_type,
    kind: r.kind,
    identity: r.attidentity,
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

/** Every sequence in the database, by "schema.sequence", with its definition. */
export async function readSequenceDefs(db: Queryable): Promise<Map<string, SequenceDef>> {
  const { rows } = await db.query<DefRow>(
    `SELECT ${DEF_COLUMNS} FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace JOIN pg_sequence sq ON sq.seqrelid = s.oid WHERE s.relkind = 'S'`,
  );
  return new Map(rows.map((r) => [`${r.seq_schema}.${r.seq_name}`, toDef(r)]));
}
