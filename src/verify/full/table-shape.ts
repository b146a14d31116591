import type { Queryable } from '../../db/database';

export interface ColumnShape {
  name: string;
  /** The declared type, as SQL spells it (casts of key values use it). */
  type: string;
  /** The base type without modifiers (a domain's base), e.g. "numeric", "integer[]". */
  base: string;
  /** pg_type.typtype of the base: b base, e enum, c composite, r range, m multirange. */
  kind: string;
  /** For an array, its element's base type. */
  element?: string;
  /** Declared NOT NULL: its hash needs no stand-in for NULL. */
  notNull?: boolean;
}

export interface TableShape {
  schema: string;
  name: string;
  columns: ColumnShape[];
  /** Primary-key columns in key order; empty when the table has none. */
  key: string[];
  /** Planner estimates: rows and 8 kB pages (partitions summed for a partitioned table). */
  estimate: number;
  pages: number;
  readable: boolean;
  /** A single-column key's histogram bounds from pg_stats (as text, in key order), when analysed. */
  keyHistogram?: string[];
}

export const qualified = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** Every user table with its columns, primary key and size estimate, in one catalog query. */
export async function readTableShapes(db: Queryable): Promise<TableShape[]> {
  const { rows } = await db.query<{ schema: string; name: string; columns: ColumnShape[]; key: string[] | null; estimate: string; pages: string; readable: boolean; histogram: string[] | null }>(`
    SELECT n.nspname AS schema, c.relname AS name,
           (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'base', format_type(b.oid, NULL),
                                              'kind', b.typtype, 'notNull', a.attnotnull, 'element', CASE WHEN b.typelem <> 0 AND b.typlen = -1 THEN format_type(e.oid, NULL) END) ORDER BY a.attnum)
              FROM pg_attribute a
              JOIN pg_type t ON t.oid = a.atttypid
              JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
              LEFT JOIN pg_type e0 ON e0.oid = b.typelem
              LEFT JOIN pg_type e ON e.oid = CASE WHEN e0.typtype = 'd' THEN e0.typbasetype ELSE e0.oid END
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
           (SELECT array_agg(a.attname::text ORDER BY k.ord)
              FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
             WHERE i.indrelid = c.oid AND i.indisprimary AND k.ord <= i.indnkeyatts) AS key,
           CASE WHEN c.relkind = 'p' THEN (SELECT COALESCE(sum(GREATEST(p.reltuples, 0)), 0) FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid WHERE h.inhparent = c.oid)
                ELSE GREATEST(c.reltuples, 0) END AS estimate,
           CASE WHEN c.relkind = 'p' THEN (SELECT COALESCE(sum(p.relpages), 0) FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid WHERE h.inhparent = c.oid)
                ELSE c.relpages END AS pages,
           has_table_privilege(c.oid, 'SELECT') AS readable,
           (SELECT array(SELECT json_array_elements_text(array_to_json(s.histogram_bounds)))
              FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
              JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname AND s.inherited = (c.relkind = 'p')
             WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnkeyatts = 1) AS histogram
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
     ORDER BY n.nspname, c.relname`);
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    columns: (r.columns ?? []).map((c) => ({ ...c, element: c.element ?? undefined })),
    key: r.key ?? [],
    estimate: Number(r.estimate),
    pages: Number(r.pages),
    readable: r.readable,
    keyHistogram: r.histogram?.length ? r.histogram : undefined,
  }));
}
