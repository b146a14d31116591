import type { Queryable } from '../../db/database';
import type { Limiter } from './limiter';
import { bucketChecksums, rangeRows, sampledBounds, splitKeys, type BucketSum, type KeyRange, type KeyValue, type TableSide } from './segment-sql';

export interface SegmentOptions {
  /** Rows per segment of the first pass (boundaries from a sample of the keys). */
  segmentRows: number;
  /** Segments checksummed by one statement (a key range of about segmentRows × this). */
  segmentsPerStatement: number;
  /** A differing range this small is fetched (keys and row hashes); a larger one is bisected. */
  fetchRows: number;
  /** Parts a differing range is bisected into at each step. */
  fanout: number;
  /** Differing keys named per table at most; the rest are counted. */
  maxNamed: number;
}

export const DEFAULT_SEGMENTS: SegmentOptions = { segmentRows: 2000, segmentsPerStatement: 250, fetchRows: 256, fanout: 16, maxNamed: 10_000 };

/** A key that differs after the first pass, with the row hash each side had then (absent: no row). */
export interface FoundKey {
  key: KeyValue;
  source?: string;
  target?: string;
}

export interface Side {
  db: Queryable;
  limit: Limiter;
  table: TableSide;
}

export interface KeyedPass {
  rowsSource: number;
  rowsTarget: number;
  found: FoundKey[];
  /** Differences counted but not named (past maxNamed). */
  unnamed: number;
  /** Statements run on each side. */
  statements: number;
  /** Keys held by more than one row, on each side (a table without its primary key there). */
  repeated: { source: KeyValue[]; target: KeyValue[] };
  /** Ranges whose count or checksum differed, but whose rows, fetched, named no key: moved since, or a fault. */
  unexplained: KeyRange[];
}

const newPass = (): KeyedPass => ({ rowsSource: 0, rowsTarget: 0, found: [], unnamed: 0, statements: 0, repeated: { source: [], target: [] }, unexplained: [] });

const same = (a?: BucketSum, b?: BucketSum) => (a?.rows ?? 0) === (b?.rows ?? 0) && (a?.sum ?? '0') === (b?.sum ?? '0');

/**
 * The first pass over a keyed table: segment boundaries from a sample of the source's keys,
 * count and checksum of every segment on both sides (many segments per statement), then each
 * differing segment bisected until it is small enough to fetch its keys and row hashes.
 */
export async function diffKeyedTable(
  source: Side,
  target: Side,
  size: { estimate: number; pages: number; histogram?: string[] },
  o: SegmentOptions,
  onRows: (rows: number) => void,
): Promise<KeyedPass> {
  const pass = newPass();
  const bounds = await firstBounds(source, size, o, pass);
  const per = evenChunks(bounds.length + 1, o.segmentsPerStatement, source.limit.size);
  const chunks: { range: KeyRange; inner: KeyValue[] }[] = [];
  for (let a = 0; a <= bounds.length; a += per) {
    chunks.push({ range: { lo: bounds[a - 1], hi: bounds[a + per - 1] }, inner: bounds.slice(a, Math.min(a + per - 1, bounds.length)) });
  }
  await Promise.all(
    chunks.map(async (c) => {
      const [s, t] = await both(source, target, pass, (x) => bucketChecksums(x.db, x.table, c.range, c.inner));
      let rows = 0;
      for (const r of s.values()) rows += r.rows;
      pass.rowsSource += rows;
      for (const r of t.values()) pass.rowsTarget += r.rows;
      onRows(rows);
      const differing = [...new Set([...s.keys(), ...t.keys()])].filter((b) => !same(s.get(b), t.get(b)));
      await Promise.all(differing.map((b) => resolveSegment(source, target, bucketRange(c.range, c.inner, b), s.get(b)?.rows ?? 0, t.get(b)?.rows ?? 0, o, pass)));
    }),
  );
  pass.found = reconcile(pass.found);
  return pass;
}

/** One key range compared again, as the first pass compares a segment. */
export async function diffRange(source: Side, target: Side, range: KeyRange, o: SegmentOptions): Promise<KeyedPass> {
  const pass = newPass();
  const [s, t] = await both(source, target, pass, (x) => bucketChecksums(x.db, x.table, range, []));
  pass.rowsSource = s.get(0)?.rows ?? 0;
  pass.rowsTarget = t.get(0)?.rows ?? 0;
  if (!same(s.get(0), t.get(0))) await resolveSegment(source, target, range, pass.rowsSource, pass.rowsTarget, o, pass);
  pass.found = reconcile(pass.found);
  return pass;
}

async function resolveSegment(source: Side, target: Side, range: KeyRange, rowsS: number, rowsT: number, o: SegmentOptions, pass: KeyedPass): Promise<void> {
  if (!(await resolve(source, target, range, rowsS, rowsT, o, pass))) pass.unexplained.push(range);
}

/**
 * Segments per statement: at most `most`, and the statements (near) a multiple of the concurrency, all of
 * about one size, so the last round of statements does not leave a session idle behind a small tail.
 */
export function evenChunks(segments: number, most: number, concurrency: number): number {
  const statements = Math.ceil(segments / Math.max(1, most));
  const rounded = statements <= 1 ? 1 : Math.ceil(statements / concurrency) * concurrency;
  return Math.max(1, Math.ceil(segments / rounded));
}

async function firstBounds(source: Side, size: { estimate: number; pages: number; histogram?: string[] }, o: SegmentOptions, pass: KeyedPass): Promise<KeyValue[]> {
  const wanted = Math.ceil(size.estimate / o.segmentRows);
  if (wanted < 2) return [];
  // A table small enough for its key's pg_stats histogram needs no sampling statement: every k-th
  // bound (stale statistics only make segments uneven, never leave rows out: the ends are open).
  const h = size.histogram;
  if (h && h.length > wanted) {
    const every = Math.floor(h.length / wanted);
    return h.filter((_, i) => i % every === every - 1).map((k) => [k]);
  }
  // Up to three rows of each sampled block, four sampled rows a segment.
  const perBlock = Math.max(1, Math.min(3, size.estimate / Math.max(1, size.pages)));
  const percent = Math.min(100, (100 * wanted * 4) / (perBlock * Math.max(1, size.pages)));
  pass.statements++;
  return source.limit.run(() => sampledBounds(source.db, source.table, percent, 4));
}

/** Bucket `b` of a statement over `range` split at `inner`, as a key range. */
function bucketRange(range: KeyRange, inner: KeyValue[], b: number): KeyRange {
  return { lo: b === 0 ? range.lo : inner[b - 1], hi: b >= inner.length ? range.hi : inner[b] };
}

async function both<T>(source: Side, target: Side, pass: KeyedPass, f: (s: Side) => Promise<T>): Promise<[T, T]> {
  pass.statements++;
  return Promise.all([source.limit.run(() => f(source)), target.limit.run(() => f(target))]);
}

/** Bisects a differing range down to its keys; how many differing keys it named, counted or found held twice. */
async function resolve(source: Side, target: Side, range: KeyRange, rowsS: number, rowsT: number, o: SegmentOptions, pass: KeyedPass): Promise<number> {
  if (pass.found.length >= o.maxNamed) {
    pass.unnamed += Math.max(1, Math.abs(rowsS - rowsT));
    return 1;
  }
  if (Math.max(rowsS, rowsT) > o.fetchRows) {
    // Split at the keys of the side with more rows: each part then has about fetchRows / fanout of them.
    const bigger = rowsS >= rowsT ? source : target;
    pass.statements++;
    const inner = await bigger.limit.run(() => splitKeys(bigger.db, bigger.table, range, Math.ceil(Math.max(rowsS, rowsT) / o.fanout)));
    if (inner.length) {
      const [s, t] = await both(source, target, pass, (x) => bucketChecksums(x.db, x.table, range, inner));
      const differing = [...new Set([...s.keys(), ...t.keys()])].filter((b) => !same(s.get(b), t.get(b)));
      const named = await Promise.all(differing.map((b) => resolve(source, target, bucketRange(range, inner, b), s.get(b)?.rows ?? 0, t.get(b)?.rows ?? 0, o, pass)));
      return named.reduce((n, x) => n + x, 0);
    }
  }
  const [fs, ft] = await both(source, target, pass, (x) => rangeRows(x.db, x.table, range));
  const [s, t] = [fs.rows, ft.rows];
  pass.repeated.source.push(...fs.repeated);
  pass.repeated.target.push(...ft.repeated);
  const found: FoundKey[] = [];
  for (const [k, row] of s) {
    const other = t.get(k);
    if (!other || other.hash !== row.hash) found.push({ key: row.key, source: row.hash, target: other?.hash });
  }
  for (const [k, row] of t) if (!s.has(k)) found.push({ key: row.key, target: row.hash });
  pass.found.push(...found);
  if (pass.found.length > o.maxNamed) pass.unnamed += pass.found.splice(o.maxNamed).length;
  return found.length + fs.repeated.length + ft.repeated.length;
}

/**
 * One entry per key: when the two servers order text keys differently, a row can fall in different
 * segments on each side and be seen as missing in one and extra in another.
 */
function reconcile(found: FoundKey[]): FoundKey[] {
  const byKey = new Map<string, FoundKey>();
  for (const f of found) {
    const k = JSON.stringify(f.key);
    const prev = byKey.get(k);
    byKey.set(k, prev ? { key: f.key, source: prev.source ?? f.source, target: prev.target ?? f.target } : f);
  }
  return [...byKey.values()].filter((f) => f.source !== f.target);
}
