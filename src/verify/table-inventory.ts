import type { Queryable } from '../db/database';

export interface TableInfo {
  schema: string;
  name: string;
  /** Primary-key columns in order; empty when the table has none. */
  pk: string[];
  /** The first pk column's type, for range sampling. */
  pkType?: string;
  estimate: number;
  readable: boolean;
}

/** Every user table (partitioned parents, not their partitions) with its primary key and row estimate, in one query. */
export async function readTables(db: Queryable): Promise<TableInfo[]> {
  const { rows } = await db.query<{ schema: string; name: string; pk: string[] | null; pk_type: string | null; estimate: string; readable: boolean }>(`
    SELECT n.nspname AS schema, c.relname AS name,
           (SELECT array_agg(a.attname::text ORDER BY k.ord)
              FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
             WHERE i.indrelid = c.oid AND i.indisprimary) AS pk,
           (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = c.oid AND i.indisprimary) AS pk_type,
           CASE WHEN c.relkind = 'p' THEN (SELECT COALESCE(sum(GREATEST(p.reltuples, 0)), 0) FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid WHERE h.inhparent = c.oid)
                ELSE GREATEST(c.reltuples, 0) END AS estimate,
           has_table_privilege(c.oid, 'SELECT') AS readable
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
     ORDER BY n.nspname, c.relname`);
  return rows.map((r) => ({ schema: r.schema, name: r.name, pk: r.pk ?? [], pkType: r.pk_type ?? undefined, estimate: Number(r.estimate), readable: r.readable }));
}
