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
type Family = 'int' | 'int8' | 'numeric' | 'float' | 'text' | 'timestamptz' | 'timestamp' | 'jsonb' | 'uuid' | 'bool' | 'date' | 'bytea' | 'io';

const SCALAR: Record<string, Family> = {
  smallint: 'int',
  integer: 'int',
  bigint: 'int8',
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
  if (pair.has('int') && pair.has('int8')) return 'int8';
  if (pair.has('int[]') && pair.has('int8[]')) return 'int8[]';
  if ((pair.has('int') || pair.has('int8')) && pair.has('numeric')) return 'numeric';
  if (pair.has('timestamp') && pair.has('timestamptz')) return 'timestamp';
  return 'io';
}

// bigint elements are hashed by their text: hashint8 folds 64 bits to 32 (-1 = 4294967295), see int8Hash.
const ARRAY_CAST: Record<string, string> = { int: 'integer[]', int8: 'bigint[]', numeric: 'numeric[]', float: 'double precision[]', text: 'text[]', timestamp: 'timestamp[]', timestamptz: 'timestamp[]', jsonb: 'jsonb[]', uuid: 'uuid[]', bool: 'boolean[]', date: 'date[]' };

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

/** How a pair of columns is hashed: the shared family, and whether a numeric may hold NaN or ±Infinity. */
interface PairHash {
  family: string;
  /** hash_numeric_extended gives its seed for NaN and ±Infinity alike: such a column is told apart by its text. */
  specials: boolean;
  /** numeric(p,s)[] with the same scale on both sides: every element is stored with that scale, so its text is canonical. */
  fixedScale?: boolean;
}

// A numeric with a declared precision cannot hold ±Infinity, so NaN is its only special value, and
// one special value needs no telling apart. Integers and money cast to numeric hold none.
const mayHoldSpecials = (c: ColumnShape) => familyOf(c) === 'numeric' && c.base === 'numeric' && !/^numeric\(/.test(c.type);

// The scale a numeric(p,s)[] column declares; a domain over one is not recognised (its type is the domain's name).
const arrayScale = (c: ColumnShape) => /^numeric\(\d+,(\d+)\)\[\]$/.exec(c.type)?.[1];
const sameArrayScale = (a: ColumnShape, b: ColumnShape) => arrayScale(a) !== undefined && arrayScale(a) === arrayScale(b);

/**
 * The 64-bit hash of one column's value under `seed` (an SQL bigint expression); NULL for a NULL.
 * Where `seed` appears once in it, it can take the hash of the columns before it (see rowHash).
 */
function valueHash(c: ColumnShape, pair: PairHash, seed: string): string {
  // The statements in segment-sql.ts name the row `r`.
  const v = `r.${quoteIdent(c.name)}`;
  const own = familyOf(c);
  const { family } = pair;
  if (family.endsWith('[]')) {
    // Session TimeZone is UTC, so timestamptz[] → timestamp[] is the UTC wall time.
    return arrayHash(`${v}::${ARRAY_CAST[family.slice(0, -2)]}`, pair.fixedScale ? 'numeric(p,s)' : family.slice(0, -2), seed);
  }
  switch (family) {
    case 'int': return intHash(v, c.base, seed);
    case 'int8': return int8Hash(`${v}::bigint`, seed);
    case 'numeric': return signed(v, pair.specials ? numericHash(v, seed) : `hash_numeric_extended(${v}::numeric, ${seed})`);
    case 'float': return `hashfloat8extended(${v}::double precision, ${seed})`;
    case 'text': return `hashtextextended(${v}::text COLLATE "C", ${seed})`;
    case 'timestamp': return timestampHash(own === 'timestamptz' ? utc(v) : v, seed);
    case 'timestamptz': return timestampHash(utc(v), seed);
    case 'jsonb': return `hashtextextended(${v}::jsonb::text COLLATE "C", ${seed})`;
    case 'uuid': return `uuid_hash_extended(${v}, ${seed})`;
    case 'bool': return `hashint4extended(${v}::int, ${seed})`;
    case 'date': return dateHash(v, seed);
    case 'bytea': return `hashtextextended(encode(${v}, 'hex'), ${seed})`;
    default: return `hashtextextended(${canonicalText(v, c)} COLLATE "C", ${seed})`;
  }
}

/** The 64-bit hash expression of one column on its own (a NULL hashes to a constant of its own). */
function columnHash(c: ColumnShape, pair: PairHash, seed: bigint): string {
  const h = valueHash(c, pair, `${seed}::bigint`);
  // Hash functions are strict: a NULL would make the whole row's hash NULL, so it gets a constant.
  return c.notNull ? h : `COALESCE(${h}, ${nullMark(seed)}::bigint)`;
}

// hash_numeric_extended ignores the sign (5 and -5 hash alike) and XORs the base-10000 weight into
// its result after hashing (10000 hashes as 1 with the low bit flipped): the sign goes in as the
// value and that hash as the seed of one more (cheap) int4 hash, which mixes the weight in, so that
// a numeric's hash can be XORed with others (off the chain, or as the chain's last link under bit_xor).
function signed(v: string, hash: string): string {
  return `hashint4extended((${v}::numeric < 0)::int, ${hash})`;
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
  // Timestamp and date elements hash by timestamp_hash_extended, whose 64-to-32-bit fold maps some
  // timestamps 2^32 + 1 µs apart alike (see timestampHash): such arrays are hashed by their text (UTC, ISO).
  if (element === 'jsonb' || element === 'timestamp' || element === 'timestamptz' || element === 'date') return `hashtextextended(${arr}::text COLLATE "C", ${seed})`;
  const dims = `hashtextextended(COALESCE(array_dims(${arr}), ''), ${seed})`;
  // bigint elements by their text: hash_numeric_extended, like hashint8extended, hashes no sign. So are
  // numeric elements of one declared scale, whose text has no trailing zeros to trim: a quarter of the cost.
  if (element === 'int8' || element === 'numeric(p,s)') return `(hashtextextended(${arr}::text, ${seed}) # ${dims})`;
  // numeric elements by their text without trailing zeros (1.5 = 1.50, -1.5 apart, NaN and ±Infinity
  // apart); an empty array by its text '{}', a NULL one stays NULL (for its column's NULL constant).
  if (element === 'numeric') return `(hashtextextended(COALESCE((SELECT string_agg(COALESCE(trim_scale(u.x)::text, 'NULL'), ',' ORDER BY u.o) FROM unnest(${arr}) WITH ORDINALITY u(x, o)), ${arr}::text), ${seed}) # ${dims})`;
  return `(hash_array_extended(${element === 'text' ? `${arr} COLLATE "C"` : arr}, ${seed}) # ${dims})`;
}

// int2 and int4 hash alike for a value whatever the width (as hash joins across them need), so each
// column is hashed at its own width, without a cast per row.
function intHash(v: string, base: string, seed: string): string {
  if (base === 'smallint') return `hashint2extended(${v}, ${seed})`;
  return `hashint4extended(${v}, ${seed})`;
}

// hashint8extended folds the value's two halves into 32 bits before hashing (so that a bigint in the
// int4 range hashes as that int4 would): -1 and 4294967295, or 0 and 4294967297, hash alike. The
// value itself, all 64 bits, goes into the seed as well.
function int8Hash(v: string, seed: string): string {
  return `hashint8extended(${v}, ${v} # ${seed})`;
}

// timestamp_hash_extended is hashint8extended on the microseconds, which folds their two 32-bit
// halves into one: t and t XOR (k·2^32 + k) µs hash alike ('infinity' and 2000-01-01 00:35:47.483648;
// t and t + 71 min 34.967297 s for a quarter of all t). No zone or DST mistake, truncation, or shift
// by whole seconds (under 136 years) has that form; any other difference goes unseen with a chance of
// about 2^-32 a row. Putting all 64 bits in (the epoch from date_part in the seed, the cheapest way
// short of the text) cost 57 ns a timestamp a row, a quarter of the verify's time on the bench's
// table, so scalars keep the fold; arrays (rare) are hashed by their text.
function timestampHash(v: string, seed: string): string {
  return `timestamp_hash_extended(${v}, ${seed})`;
}

// A date as its day number (int4, hashed whole: as a timestamp it folded too, 1992-03-15 = 2480-07-14);
// ±infinity lie past the last finite day number on either side.
function dateHash(v: string, seed: string): string {
  return `hashint4extended(CASE WHEN isfinite(${v}) THEN ${v} - DATE '2000-01-01' WHEN ${v} > DATE '2000-01-01' THEN 2147483647 ELSE -2147483648 END, ${seed})`;
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
  /** The column's own hash expression on the source and on the target (to name the columns that differ). */
  source: string;
  target: string;
  /** For a column hashed straight onto the row's chain: its hash on each side, seeded by the chain so far. */
  chained?: { source: (prev: string) => string; target: (prev: string) => string };
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
    const pair: PairHash = { family, specials: mayHoldSpecials(s) || mayHoldSpecials(t), fixedScale: family === 'numeric[]' && sameArrayScale(s, t) };
    const seed = columnSeed(s.name);
    const own = { source: columnHash(s, pair, seed), target: columnHash(t, pair, seed) };
    // A column NOT NULL on both sides whose hash takes its seed once and never gives it back is
    // hashed straight onto the chain. A hash that gives back its seed (or seed - 1) for some value
    // would let that value pass the chain through, and a value moved to the next column of its kind
    // would hash alike: (0, 100) and (100, 0) in two float columns (hashfloat8extended of ±0 is the
    // seed), (NaN, 5) and (5, NaN) in two numeric(p,s) columns (hash_numeric_extended: NaN the seed).
    const passesSeed = pair.family === 'float' || (pair.family === 'numeric' && (s.base === 'numeric' || t.base === 'numeric'));
    const direct = s.notNull && t.notNull && !pair.family.endsWith('[]') && !passesSeed;
    columns.push({ name: s.name, ...own, ...(direct ? { chained: { source: (prev: string) => valueHash(s, pair, prev), target: (prev: string) => valueHash(t, pair, prev) } } : {}) });
  }
  const sourceNames = new Set(source.map((c) => c.name));
  const onlyTarget = target.filter((c) => !sourceNames.has(c.name) && !skip.has(c.name)).map((c) => c.name);
  return { columns, onlySource, onlyTarget };
}

// The seed the row's chain starts from (any fixed value both sides use).
const CHAIN_SEED = '7046029254386353131::bigint';

/**
 * A row's hash. The other columns' own hashes (NULLs, arrays, floats, numerics: see comparedColumns),
 * XORed together, go into the seed of a chain over the direct columns in the source's order, each
 * hashed with the hash of the ones before it as its seed (one hash call a column). Every row hash
 * then depends on the whole row, key included, so a segment's hashes may be XORed: a column's own
 * hash XORed into the row hash at the end would cancel across rows (two rows turning 'new' into
 * 'paid' would not show).
 */
export function rowHash(columns: ComparedColumn[], side: 'source' | 'target'): string {
  if (!columns.length) return '0::bigint';
  const alone = columns.filter((c) => !c.chained).map((c) => c[side]);
  const start = alone.length ? `(${[CHAIN_SEED, ...alone].join(' # ')})` : CHAIN_SEED;
  const chained = columns.filter((c) => c.chained);
  // With no direct column, one more hash call mixes the XOR.
  return chained.length ? chained.reduce((prev, c) => c.chained![side](prev), start) : `hashint4extended(0, ${start})`;
}
