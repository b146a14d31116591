import { quoteIdent } from '../../db/database';
import type { ColumnShape } from './table-shape';

/**
 * How equal values are made to hash equal on two servers. Each column is hashed by the 64-bit hash
 * its type's hash index uses (stable across versions and servers: hash indexes and hash partitions
 * survive pg_upgrade), over a canonical value: numeric hashes ignore scale (1.5 = 1.50),
 * timestamptz is taken in UTC, text is hashed as bytes (COLLATE "C"). Where a type's hash maps
 * values that differ to one hash, the text output is hashed instead: json and jsonb (as jsonb, key
 * order and spacing gone; jsonb_hash ignores nesting: {"a": [[1]]} = {"a": 1}), intervals (1 mon
 * = 30 days), numeric NaN and ±Infinity (all hashed to the seed); arrays add their dimensions
 * (see arrayHash). Enums, composites and anything else are hashed through their text output
 * under fixed session settings (UTC, ISO dates, float text, hex bytea), never by OID.
 */
type Family = 'int' | 'numeric' | 'float' | 'text' | 'timestamptz' | 'timestamp' | 'jsonb' | 'uuid' | 'bool' | 'date' | 'bytea' | 'io';

const SCALAR: Record<string, Family> = {
  smallint: 'int',
  integer: 'int',
  bigint: 'int',
  numeric: 'numeric',
  money: 'numeric',
  real: 'float',
  'double precision': 'float',
  text: 'text',
  'character varying': 'text',
  character: 'text',
  name: 'text',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  json: 'jsonb',
  jsonb: 'jsonb',
  uuid: 'uuid',
  boolean: 'bool',
  date: 'date',
  bytea: 'bytea',
};

/** The family a column hashes in: "int", "numeric[]"…, or "io" (its text output). */
export function familyOf(c: ColumnShape): string {
  if (c.kind !== 'b') return 'io';
  if (c.element) {
    const f = SCALAR[c.element];
    return f && f !== 'bytea' ? `${f}[]` : 'io';
  }
  return SCALAR[c.base] ?? 'io';
}

/** The family both sides hash a column in: the same one, a wider one (int with numeric, timestamp with timestamptz), or text. */
export function sharedFamily(a: ColumnShape, b: ColumnShape): string {
  const fa = familyOf(a);
  const fb = familyOf(b);
  if (fa === fb) return fa;
  const pair = new Set([fa, fb]);
  if (pair.has('int') && pair.has('numeric')) return 'numeric';
  if (pair.has('timestamp') && pair.has('timestamptz')) return 'timestamp';
  return 'io';
}

const ARRAY_CAST: Record<string, string> = { int: 'bigint[]', numeric: 'numeric[]', float: 'double precision[]', text: 'text[]', timestamp: 'timestamp[]', timestamptz: 'timestamp[]', jsonb: 'jsonb[]', uuid: 'uuid[]', bool: 'boolean[]', date: 'date[]' };

// UTC wall time of a timestamptz: a zero offset is plain arithmetic, where AT TIME ZONE 'UTC' looks
// the zone up by name on every row (the same timestamp, at a fraction of the cost).
const utc = (v: string) => `(${v} AT TIME ZONE INTERVAL '0')`;

/** The column's canonical text: what "io" hashes, and what a mixed pair compares. */
function canonicalText(v: string, c: ColumnShape): string {
  const own = familyOf(c);
  if (own === 'numeric') return `trim_scale(${v}::numeric)::text`;
  if (own === 'jsonb') return `${v}::jsonb::text`;
  if (own === 'timestamptz') return `${utc(v)}::text`;
  return `${v}::text`;
}

/** The 64-bit hash expression of one column (a NULL hashes to a constant of its own). */
export function columnHash(c: ColumnShape, family: string, seed: bigint, alias = 'r'): string {
  const v = `${alias}.${quoteIdent(c.name)}`;
  const s = `${seed}::bigint`;
  const own = familyOf(c);
  let h: string;
  if (family.endsWith('[]')) {
    // Session TimeZone is UTC, so timestamptz[] → timestamp[] is the UTC wall time.
    h = arrayHash(`${v}::${ARRAY_CAST[family.slice(0, -2)]}`, family.slice(0, -2), s);
  } else {
    switch (family) {
      case 'int': h = intHash(v, c.base, s); break;
      case 'numeric': h = numericHash(v, s); break;
      case 'float': h = `hashfloat8extended(${v}::double precision, ${s})`; break;
      case 'text': h = `hashtextextended(${v}::text COLLATE "C", ${s})`; break;
      case 'timestamp': h = `timestamp_hash_extended(${own === 'timestamptz' ? utc(v) : v}, ${s})`; break;
      case 'timestamptz': h = `timestamp_hash_extended(${utc(v)}, ${s})`; break;
      case 'jsonb': h = `hashtextextended(${v}::jsonb::text COLLATE "C", ${s})`; break;
      case 'uuid': h = `uuid_hash_extended(${v}, ${s})`; break;
      case 'bool': h = `hashint4extended(${v}::int, ${s})`; break;
      case 'date': h = `timestamp_hash_extended(${v}::timestamp, ${s})`; break;
      case 'bytea': h = `hashtextextended(encode(${v}, 'hex'), ${s})`; break;
      default: h = `hashtextextended(${canonicalText(v, c)} COLLATE "C", ${s})`;
    }
  }
  // Hash functions are strict: a NULL would make the whole row's hash NULL, so it gets a constant.
  return c.notNull ? h : `COALESCE(${h}, ${nullMark(seed)}::bigint)`;
}

// hash_numeric_extended returns the seed itself for NaN, Infinity and -Infinity alike: those (and
// only those, short of a 2^-64 chance) are hashed by their text.
function numericHash(v: string, seed: string): string {
  return `COALESCE(NULLIF(hash_numeric_extended(${v}::numeric, ${seed}), ${seed}), hashtextextended(${v}::numeric::text, ${seed}))`;
}

// hash_array ignores the dimensions ({{1,2}} = {1,2} = [0:1]={1,2}) and the seed where there is no
// element to hash ({} and {NULL} hash alike in every column, so two such columns cancel out): the
// dimensions are hashed with the seed beside it. Text elements are hashed as bytes like text; numeric
// arrays holding NaN or ±Infinity, and jsonb arrays, by their text (see numericHash, the jsonb case).
function arrayHash(arr: string, element: string, seed: string): string {
  if (element === 'jsonb') return `hashtextextended(${arr}::text COLLATE "C", ${seed})`;
  const hash = `(hash_array_extended(${element === 'text' ? `${arr} COLLATE "C"` : arr}, ${seed}) # hashtextextended(COALESCE(array_dims(${arr}), ''), ${seed}))`;
  if (element !== 'numeric') return hash;
  return `CASE WHEN ${arr} && '{NaN,Infinity,-Infinity}'::numeric[] THEN hashtextextended(${arr}::text, ${seed}) ELSE ${hash} END`;
}

// The integer hashes agree for a value whatever its width (as hash joins across int2/int4/int8 need),
// so each column is hashed at its own width, without a cast per row.
function intHash(v: string, base: string, seed: string): string {
  if (base === 'integer') return `hashint4extended(${v}, ${seed})`;
  if (base === 'smallint') return `hashint2extended(${v}, ${seed})`;
  return `hashint8extended(${v}::bigint, ${seed})`;
}

/** A seed per column name (FNV-1a, 40 bits), so both sides agree whatever the column order. */
export function columnSeed(name: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(name, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h & 0xffffffffffn;
}

function nullMark(seed: bigint): bigint {
  return (seed * 2654435761n + 97n) & 0x7fffffffffffn;
}

export interface ComparedColumn {
  name: string;
  /** The hash expression on the source and on the target. */
  source: string;
  target: string;
}

/** The columns both sides hash (in the source's order, less exclusions) and what differs in their shape. */
export function comparedColumns(source: ColumnShape[], target: ColumnShape[], excluded: string[]): { columns: ComparedColumn[]; onlySource: string[]; onlyTarget: string[] } {
  const byName = new Map(target.map((c) => [c.name, c]));
  const skip = new Set(excluded);
  const columns: ComparedColumn[] = [];
  const onlySource: string[] = [];
  for (const s of source) {
    if (skip.has(s.name)) continue;
    const t = byName.get(s.name);
    if (!t) {
      onlySource.push(s.name);
      continue;
    }
    const family = sharedFamily(s, t);
    const seed = columnSeed(s.name);
    columns.push({ name: s.name, source: columnHash(s, family, seed), target: columnHash(t, family, seed) });
  }
  const sourceNames = new Set(source.map((c) => c.name));
  const onlyTarget = target.filter((c) => !sourceNames.has(c.name) && !skip.has(c.name)).map((c) => c.name);
  return { columns, onlySource, onlyTarget };
}

/** A row's hash: its column hashes combined (XOR of differently seeded hashes keeps column positions apart). */
export function rowHash(hashes: string[]): string {
  return hashes.length ? `(${hashes.join(' # ')})` : '0::bigint';
}
