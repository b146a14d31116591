import type { Limiter } from './limiter';
import { diffKeyedTable, diffRange, type FoundKey, type KeyedPass, type SegmentOptions, type Side } from './keyed-table-diff';
import { comparedColumns } from './row-hash';
import { rowsByKeys, tableChecksum, tableSide, type KeyedRow, type KeyRange, type KeyValue, type SegmentAggregate, type TableSide } from './segment-sql';
import { qualified, type TableShape } from './table-shape';
import type { Queryable } from '../../db/database';

export type DifferenceKind = 'missing' | 'extra' | 'different';

/** One differing key: missing on the target, extra on the target, or different (with the columns). */
export interface Difference {
  key: KeyValue;
  kind: DifferenceKind;
  columns?: string[];
}

/** What the full verify found for one table. */
export interface TableVerdict {
  table: string;
  /** keyed: segment by segment; whole: count and checksum of the whole table (no primary key). */
  compared: 'keyed' | 'whole' | 'not compared';
  key: string[];
  rowsSource: number;
  rowsTarget: number;
  /** Differences still there once the target had caught up (or at once on a fenced source). */
  differences: Difference[];
  /** Rows that changed during the run: equal once the target caught up, or still moving. */
  inFlight: Difference[];
  /** Differences past the naming limit, counted only. */
  unnamed: number;
  /** A table without a primary key whose checksum differs, persistently. */
  wholeDiffers?: boolean;
  /** A table without a primary key that changed during the run (equal once caught up, or still moving). */
  wholeInFlight?: string;
  /** Still moving and different at both looks: without keys a loss cannot be told from writes in flight. */
  unconfirmed?: boolean;
  /** Table-level findings (missing, unreadable, columns on one side only, could not be compared). */
  problems: string[];
  /** Why differences could not be confirmed against the lag (no heartbeat…), if so. */
  unsettled?: string;
  ms: number;
}

export interface VerdictContext {
  source: { db: Queryable; limit: Limiter };
  target: { db: Queryable; limit: Limiter };
  segments: SegmentOptions;
  excludedColumns: string[];
  /** How segments add up their row hashes (what both servers have). */
  aggregate: SegmentAggregate;
  /** Resolves once the target has caught up with the source as it was now; a reason when that cannot be told. */
  settle(): Promise<string | undefined>;
  onRows(rows: number): void;
}

/** `keyKey` of a key: how keys are matched across sides. */
const keyId = (k: KeyValue) => JSON.stringify(k);

/** Source against target for one table, differences confirmed after the lag window. */
export async function verifyTable(s: TableShape, t: TableShape | undefined, c: VerdictContext): Promise<TableVerdict> {
  const started = Date.now();
  const v: TableVerdict = { table: qualified(s), compared: 'not compared', key: s.key, rowsSource: 0, rowsTarget: 0, differences: [], inFlight: [], unnamed: 0, problems: [], ms: 0 };
  const done = () => ({ ...v, ms: Date.now() - started });
  if (!t) return { ...done(), problems: ['missing on the target'] };
  if (!s.readable || !t.readable) return { ...done(), problems: [`not readable by the bot on the ${!s.readable ? 'source' : 'target'}`] };
  // Key columns stay hashed even when excluded: segments tell rows apart by their hashes alone, so a
  // key off the hash would let a row move to another key (or, all columns off, any row be replaced) unseen.
  const { columns, onlySource, onlyTarget } = comparedColumns(s.columns, t.columns, c.excludedColumns.filter((n) => !s.key.includes(n)));
  if (onlySource.length) v.problems.push(`columns only on the source: ${onlySource.join(', ')}`);
  if (onlyTarget.length) v.problems.push(`columns only on the target: ${onlyTarget.join(', ')}`);
  const keyOf = (shape: TableShape) => s.key.map((k) => ({ name: k, type: shape.columns.find((col) => col.name === k)?.type ?? '' }));
  const sk = keyOf(s);
  const tk = keyOf(t);
  const sSide = tableSide(s.schema, s.name, sk, columns, 'source', c.aggregate);
  const tSide = tableSide(t.schema, t.name, tk, columns, 'target', c.aggregate);
  if (!s.key.length) return { ...(await wholeTable(sSide, tSide, c, v)), ms: Date.now() - started };
  const missingKey = tk.filter((k) => !k.type).map((k) => k.name);
  if (missingKey.length) return { ...done(), problems: [...v.problems, `key columns missing on the target: ${missingKey.join(', ')}`] };
  v.compared = 'keyed';
  const pass = await diffKeyedTable({ ...c.source, table: sSide }, { ...c.target, table: tSide }, { estimate: Math.max(s.estimate, t.estimate), pages: Math.max(s.pages, t.pages), histogram: s.keyHistogram }, c.segments, c.onRows);
  v.rowsSource = pass.rowsSource;
  v.rowsTarget = pass.rowsTarget;
  v.unnamed = pass.unnamed;
  const source: Side = { ...c.source, table: sSide };
  const target: Side = { ...c.target, table: tSide };
  const names = columns.map((col) => col.name);
  repeatedKeys(pass, s.key, v);
  if (pass.found.length) await confirm(pass.found, source, target, names, c, v);
  // One wait for the target serves the keys found and the ranges looked at again.
  let caughtUp = pass.found.length > 0;
  for (const range of pass.unexplained) {
    if (!caughtUp) await settled(c, v);
    caughtUp = true;
    await lookAgain(range, source, target, names, s.key, c, v);
  }
  return done();
}

function repeatedKeys(pass: KeyedPass, key: string[], v: TableVerdict): void {
  for (const side of ['source', 'target'] as const) {
    const keys = pass.repeated[side];
    if (keys.length) v.problems.push(`${keys.length} ${keys.length === 1 ? 'key is' : 'keys are'} held by more than one row on the ${side} (is its primary key missing there?): ${keys.slice(0, 10).map((k) => keyWords(key, k)).join(', ')}${keys.length > 10 ? ` and ${keys.length - 10} more` : ''}`);
  }
}

/**
 * A range whose count or checksum differed but whose rows, fetched, named no key: on a live source a
 * row that reached the target in between. It is compared again once the target has caught up: equal
 * then, it was in flight; keys named then are looked at as any found key (their own wait); still
 * different with no key to name, it is a problem (fail closed).
 */
async function lookAgain(range: KeyRange, source: Side, target: Side, names: string[], key: string[], c: VerdictContext, v: TableVerdict): Promise<void> {
  const again = await diffRange(source, target, range, c.segments);
  repeatedKeys(again, key, v);
  v.unnamed += again.unnamed;
  if (again.found.length) await confirm(again.found, source, target, names, c, v);
  if (again.unexplained.length) {
    const ends = `${range.lo ? keyWords(key, range.lo) : 'the first key'} to ${range.hi ? keyWords(key, range.hi) : 'the last'}`;
    v.problems.push(`keys from ${ends}: ${again.rowsSource} rows on the source, ${again.rowsTarget} on the target, checksums different, and no key could be named`);
  }
}

/** Waits for the target to catch up. A wait that did not is kept for the message, even when a later wait of the table did. */
async function settled(c: VerdictContext, v: TableVerdict): Promise<string | undefined> {
  const why = await c.settle();
  if (why) v.unsettled = why;
  return why;
}

/** A key in words: `id=5`, or `(a, b)=(1, 2)` for a composite key. */
export const keyWords = (names: string[], key: KeyValue) => (names.length === 1 ? `${names[0]}=${key[0]}` : `(${names.join(', ')})=(${key.join(', ')})`);

/** Looks at the differing keys again once the target has caught up: what still differs is persistent, what moved is in flight. */
async function confirm(found: FoundKey[], source: Side, target: Side, names: string[], c: VerdictContext, v: TableVerdict): Promise<void> {
  // The source's columns just before the heartbeat: a column the same then and at the second look
  // stood still through the lag window, even on a row whose other columns kept changing.
  const before = await look(found, source);
  const unsettled = await settled(c, v);
  // The target first: it then shows the source as it was at or before the source's own second look.
  const now = { t: await look(found, target), s: await look(found, source) };
  for (const f of found) {
    const s = now.s.get(keyId(f.key));
    const t = now.t.get(keyId(f.key));
    const b = before.get(keyId(f.key));
    const settledEqual = s?.hash === t?.hash;
    // The target has caught up past the first look: a source row unchanged since then must be on the
    // target as it is, whatever the target did meanwhile; a row the source had at both looks must be
    // there in some version; a column the source left alone must be there as it is. Only what the
    // source changed may still be on its way.
    const sourceSteady = s?.hash === f.source;
    const lostWhileChanging = f.source !== undefined && s !== undefined && t === undefined;
    const steadyColumnDiffers = !!(b && s && t) && names.some((_, i) => b.columns[i] === s.columns[i] && s.columns[i] !== t.columns[i]);
    const inFlight = settledEqual || (!sourceSteady && !lostWhileChanging && !steadyColumnDiffers);
    const kind: DifferenceKind = settledEqual ? kindOf(f.source, f.target) : kindOf(s?.hash, t?.hash);
    const columns = s && t && !settledEqual ? names.filter((_, i) => s.columns[i] !== t.columns[i]) : undefined;
    const d: Difference = columns ? { key: f.key, kind, columns } : { key: f.key, kind };
    // Without a settled target a difference stays a difference: fail closed.
    if (inFlight && !unsettled) v.inFlight.push(d);
    else if (!settledEqual) v.differences.push(d);
  }
}

/** The rows of the found keys on one side, 500 keys a statement. */
async function look(found: FoundKey[], side: Side): Promise<Map<string, KeyedRow>> {
  const rows = new Map<string, KeyedRow>();
  for (let i = 0; i < found.length; i += 500) {
    const keys = found.slice(i, i + 500).map((f) => f.key);
    for (const [k, r] of await side.limit.run(() => rowsByKeys(side.db, side.table, keys))) rows.set(k, r);
  }
  return rows;
}

const kindOf = (s?: string, t?: string): DifferenceKind => (s === undefined ? 'extra' : t === undefined ? 'missing' : 'different');

/** A table without a primary key: one count and checksum a side, looked at again after the lag window if it differs. */
async function wholeTable(source: TableSide, target: TableSide, c: VerdictContext, v: TableVerdict): Promise<TableVerdict> {
  v.compared = 'whole';
  const once = () => Promise.all([c.source.limit.run(() => tableChecksum(c.source.db, source)), c.target.limit.run(() => tableChecksum(c.target.db, target))]);
  let [s, t] = await once();
  c.onRows(s.rows);
  if (s.sum !== t.sum || s.rows !== t.rows) {
    const first = s;
    const unsettled = await settled(c, v);
    [s, t] = await once();
    const equal = s.sum === t.sum && s.rows === t.rows;
    if (!equal && (unsettled || first.sum === s.sum)) v.wholeDiffers = true;
    else if (equal) v.wholeInFlight = 'changed during the run; equal once the target caught up';
    else {
      v.wholeInFlight = 'still changing on the source: compare it again when writes stop';
      v.unconfirmed = true;
    }
  }
  return { ...v, rowsSource: s.rows, rowsTarget: t.rows };
}
