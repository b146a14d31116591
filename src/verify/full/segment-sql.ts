import { quoteIdent, type Queryable } from '../../db/database';
import { rowHash, type ComparedColumn } from './row-hash';

/** A key as text, one value per key column (both sides print keys alike under the verify's session settings). */
export type KeyValue = string[];

/** Keys from `lo` (inclusive) to `hi` (exclusive); an end left out is open. */
export interface KeyRange {
  lo?: KeyValue;
  hi?: KeyValue;
}

/** One side of one table as the statements need it. */
export interface TableSide {
  /** schema.table, quoted. */
  relation: string;
  /** Key columns and their declared types on this side. */
  key: { name: string; type: string }[];
  /** The row hash over the compared columns on this side. */
  hash: string;
  /** Each compared column's hash on this side, in the compared order. */
  columnHashes: string[];
  /** How a segment's row hashes add up: bit_xor (PostgreSQL 14 and later on both sides) or sum. */
  aggregate: SegmentAggregate;
}

/**
 * bit_xor costs less a row than sum (a plain bigint state, no 128-bit one) and, with the count beside it,
 * tells as much where every key is there once: two rows cancel only if equal, and then the count differs.
 * A table without a key may hold equal rows twice, so its checksum is a sum.
 */
export type SegmentAggregate = 'bit_xor' | 'sum';

export function tableSide(schema: string, name: string, key: { name: string; type: string }[], columns: ComparedColumn[], side: 'source' | 'target', aggregate: SegmentAggregate = 'sum'): TableSide {
  return { relation: `${quoteIdent(schema)}.${quoteIdent(name)}`, key, hash: rowHash(columns, side), columnHashes: columns.map((c) => c[side]), aggregate: key.length ? aggregate : 'sum' };
}

/** The aggregate both servers have: bit_xor came with PostgreSQL 14. */
export function segmentAggregate(versions: number[]): SegmentAggregate {
  return versions.every((v) => v >= 140000) ? 'bit_xor' : 'sum';
}

export async function serverVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
  return rows[0].v;
}

/** Bind values of one statement, named as they are added. */
class Binds {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const keyCols = (t: TableSide) => t.key.map((k) => `r.${quoteIdent(k.name)}`);
const keyExpr = (t: TableSide) => (t.key.length === 1 ? keyCols(t)[0] : `(${keyCols(t).join(', ')})`);
const keyText = (t: TableSide) => `ARRAY[${keyCols(t).map((c) => `${c}::text`).join(', ')}]`;

function keyLiteral(t: TableSide, v: KeyValue, b: Binds): string {
  const parts = t.key.map((k, i) => `${b.add(v[i])}::${k.type}`);
  return parts.length === 1 ? parts[0] : `(${parts.join(', ')})`;
}

function rangeWhere(t: TableSide, r: KeyRange, b: Binds): string {
  const cond: string[] = [];
  if (r.lo) cond.push(`${keyExpr(t)} >= ${keyLiteral(t, r.lo, b)}`);
  if (r.hi) cond.push(`${keyExpr(t)} < ${keyLiteral(t, r.hi, b)}`);
  return cond.length ? `WHERE ${cond.join(' AND ')}` : '';
}

/** An array of keys in SQL from one text[] bind per key column (records for a composite key). */
function keyArray(t: TableSide, keys: KeyValue[], b: Binds): string {
  if (t.key.length === 1) return `${b.add(keys.map((k) => k[0]))}::text[]::${t.key[0].type}[]`;
  const cols = t.key.map((k, i) => `${b.add(keys.map((v) => v[i]))}::text[]::${k.type}[]`);
  const names = t.key.map((_, i) => `u.c${i}`);
  return `(SELECT array_agg(ROW(${names.join(', ')}) ORDER BY u.o) FROM unnest(${cols.join(', ')}) WITH ORDINALITY u(${names.map((n) => n.slice(2)).join(', ')}, o))`;
}

export interface BucketSum {
  rows: number;
  /** The row hashes added up (see SegmentAggregate), as Postgres prints it. */
  sum: string;
}

/**
 * Count and checksum of every bucket of a key range in one statement: buckets are split at
 * `bounds` (bucket i holds keys from bounds[i-1] to bounds[i]; 0 and bounds.length are open-ended
 * within the range).
 */
export async function bucketChecksums(db: Queryable, t: TableSide, range: KeyRange, bounds: KeyValue[]): Promise<Map<number, BucketSum>> {
  const b = new Binds();
  const sql = bounds.length && orderedAlike(t) ? segmentScans(t, range, bounds, b) : widthBuckets(t, range, bounds, b);
  const { rows } = await db.query<{ b: number; n: string; h: string }>(sql, b.values);
  return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [Number(r.b), { rows: Number(r.n), sum: r.h }]));
}

// Key types whose order is the same on every server (no collation): their buckets can be read as
// key ranges. Text keys keep width_bucket, which puts every row in exactly one bucket even where two
// servers' collations order the bounds differently.
const ORDERED_ALIKE = /^(smallint|integer|bigint|uuid|date|numeric(\(.*\))?|timestamp(\(\d\))? with(out)? time zone)$/;
const orderedAlike = (t: TableSide) => t.key.every((k) => ORDERED_ALIKE.test(k.type));

/** One row-hashing pass with width_bucket over the bounds and a GROUP BY. */
function widthBuckets(t: TableSide, range: KeyRange, bounds: KeyValue[], b: Binds): string {
  const where = rangeWhere(t, range, b);
  const bucket = bounds.length ? `width_bucket(${keyExpr(t)}, ${keyArray(t, bounds, b)})` : '0';
  return `SELECT ${bucket} AS b, count(*) AS n, ${t.aggregate}(${t.hash})::text AS h FROM ${t.relation} r ${where} GROUP BY 1`;
}

/**
 * Each bucket as a key range of its own, read through the primary-key index (a nested loop over
 * the bounds): no per-row bucket search, which costs about as much as hashing the row.
 */
function segmentScans(t: TableSide, range: KeyRange, bounds: KeyValue[], b: Binds): string {
  const aggregate = `count(*) AS n, ${t.aggregate}(${t.hash})::text AS h FROM ${t.relation} r`;
  const parts: string[] = [];
  const inner: { n: number; lo: KeyValue; hi: KeyValue }[] = [];
  for (let i = 0; i <= bounds.length; i++) {
    const lo = i === 0 ? range.lo : bounds[i - 1];
    const hi = i === bounds.length ? range.hi : bounds[i];
    if (lo && hi) inner.push({ n: i, lo, hi });
    else parts.push(`SELECT ${i} AS b, ${aggregate} ${rangeWhere(t, { lo, hi }, b)}`);
  }
  if (inner.length) {
    const cols = (side: 'lo' | 'hi') => t.key.map((k, j) => `${b.add(inner.map((x) => x[side][j]))}::text[]::${k.type}[]`);
    const names = (p: string) => t.key.map((_, j) => `s.${p}${j}`);
    const tuple = (xs: string[]) => (xs.length === 1 ? xs[0] : `(${xs.join(', ')})`);
    parts.push(
      `SELECT s.b, a.n, a.h FROM unnest(${b.add(inner.map((x) => x.n))}::int[], ${[...cols('lo'), ...cols('hi')].join(', ')}) AS s(b, ${[...names('l'), ...names('h')].map((n) => n.slice(2)).join(', ')})
         CROSS JOIN LATERAL (SELECT ${aggregate} WHERE ${keyExpr(t)} >= ${tuple(names('l'))} AND ${keyExpr(t)} < ${tuple(names('h'))}) a`,
    );
  }
  return parts.join('\nUNION ALL\n');
}

/** Count and checksum of a whole table (a table without a primary key is compared this way). */
export async function tableChecksum(db: Queryable, t: TableSide): Promise<BucketSum> {
  const { rows } = await db.query<{ n: string; h: string | null }>(`SELECT count(*) AS n, COALESCE(sum(${t.hash}), 0)::text AS h FROM ${t.relation} r`);
  return { rows: Number(rows[0].n), sum: rows[0].h ?? '0' };
}

/**
 * Every key of a range with its row hash (a range is fetched once it is small), and the keys held by
 * more than one row: a side whose table lacks the primary key (a target made by hand or by DMS) can.
 */
export async function rangeRows(db: Queryable, t: TableSide, range: KeyRange): Promise<{ rows: Map<string, { key: KeyValue; hash: string }>; repeated: KeyValue[] }> {
  const b = new Binds();
  const { rows } = await db.query<{ k: KeyValue; h: string }>(`SELECT ${keyText(t)} AS k, ${t.hash}::text AS h FROM ${t.relation} r ${rangeWhere(t, range, b)}`, b.values);
  const byKey = new Map<string, { key: KeyValue; hash: string }>();
  const repeated = new Map<string, KeyValue>();
  for (const r of rows) {
    const id = JSON.stringify(r.k);
    if (byKey.has(id)) repeated.set(id, r.k);
    else byKey.set(id, { key: r.k, hash: r.h });
  }
  return { rows: byKey, repeated: [...repeated.values()] };
}

export interface KeyedRow {
  key: KeyValue;
  hash: string;
  /** Each compared column's hash. */
  columns: string[];
}

/** The rows with these keys, with each column's hash (to name the columns that differ). */
export async function rowsByKeys(db: Queryable, t: TableSide, keys: KeyValue[]): Promise<Map<string, KeyedRow>> {
  if (!keys.length) return new Map();
  const b = new Binds();
  const match = t.key.length === 1 ? `${keyCols(t)[0]} = ANY(${keyArray(t, keys, b)})` : `${keyExpr(t)} IN (SELECT * FROM unnest(${t.key.map((k, i) => `${b.add(keys.map((v) => v[i]))}::text[]::${k.type}[]`).join(', ')}))`;
  const cols = t.columnHashes.length ? `ARRAY[${t.columnHashes.map((h) => `(${h})::text`).join(', ')}]` : `ARRAY[]::text[]`;
  const { rows } = await db.query<{ k: KeyValue; h: string; c: string[] }>(`SELECT ${keyText(t)} AS k, ${t.hash}::text AS h, ${cols} AS c FROM ${t.relation} r WHERE ${match}`, b.values);
  return new Map(rows.map((r) => [JSON.stringify(r.k), { key: r.k, hash: r.h, columns: r.c }]));
}

/** Keys that split a range into parts of about `step` rows each, from the rows themselves (for bisecting). */
export async function splitKeys(db: Queryable, t: TableSide, range: KeyRange, step: number): Promise<KeyValue[]> {
  const b = new Binds();
  const where = rangeWhere(t, range, b);
  const order = keyCols(t).join(', ');
  const { rows } = await db.query<{ k: KeyValue }>(
    `SELECT k FROM (SELECT ${keyText(t)} AS k, row_number() OVER (ORDER BY ${order}) AS rn FROM ${t.relation} r ${where}) s WHERE rn % ${b.add(step)} = 0 ORDER BY rn`,
    b.values,
  );
  return rows.map((r) => r.k);
}

/**
 * Segment boundaries from the key distribution: a block sample (TABLESAMPLE SYSTEM, a few rows of
 * each sampled block so clustered keys do not bunch), every `step`-th key of it in key order.
 */
export async function sampledBounds(db: Queryable, t: TableSide, percent: number, step: number): Promise<KeyValue[]> {
  const b = new Binds();
  const order = keyCols(t).join(', ');
  const { rows } = await db.query<{ k: KeyValue }>(
    `SELECT k FROM (SELECT ${keyText(t)} AS k, row_number() OVER (ORDER BY ${order}) AS rn FROM ${t.relation} r TABLESAMPLE SYSTEM (${b.add(percent)})
       WHERE (r.ctid::text::point)[1] <= 3) s WHERE rn % ${b.add(step)} = 0 ORDER BY rn`,
    b.values,
  );
  return rows.map((r) => r.k);
}
