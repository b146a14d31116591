import type { SequenceColumn, SequenceDef } from './sequence-catalog';
import { columnKey, seqKey, type SequenceValues } from './sequence-values';

/** missing: a standalone sequence of the source that the target does not have. */
export type SequenceProblem = 'behind' | 'behind-source' | 'near-max' | 'unreadable' | 'missing';

export interface SequenceFinding {
  sequence: string;
  /** The columns it feeds on the target; empty for a standalone sequence. */
  columns: SequenceColumn[];
  /** A sequence that feeds no column on the source (the app calls nextval itself), synced by name. */
  standalone?: { source: SequenceDef; onTarget: boolean };
  increment: bigint;
  /** What nextval() returns next; undefined when the role may not read the sequence (or the target lacks it). */
  next?: bigint;
  /** The highest (lowest, for negative increments) value in the columns it feeds; null when they are empty. */
  extreme?: bigint | null;
  /** The source's own next value of the same sequence, when the source was read. */
  sourceNext?: bigint;
  /** Fraction of the usable range used (the smaller of the sequence's and the column type's). */
  used?: number;
  problems: SequenceProblem[];
}

/** A column that is serial or identity on the source but has neither a default nor identity on the target. */
export interface MissingDefault {
  source: SequenceColumn;
  /** Whether the target has the sequence (only the default is missing). */
  targetHasSequence: boolean;
  /** The source's next value of the sequence that fed it, when the source was read. */
  sourceNext?: bigint;
}

export interface SequenceAudit {
  findings: SequenceFinding[];
  missingDefaults: MissingDefault[];
  /**
   * Identity columns that are GENERATED ALWAYS on the source: the target keeps them BY DEFAULT while
   * replication writes explicit ids (DMS's plain INSERTs would fail), and the cutover switches them.
   */
  identityToAlways: SequenceColumn[];
  checkedAt: number;
}

export interface AuditSide {
  columns: SequenceColumn[];
  values: SequenceValues;
  /** Every sequence of the database, by "schema.sequence". */
  sequences: Map<string, SequenceDef>;
}

const TYPE_RANGE: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};
const WIDEST = TYPE_RANGE.bigint;
const NEAR_MAX_TENTHS = 9n;

const isUp = (increment: bigint) => increment > 0n;
const bigMax = (vs: bigint[]) => vs.reduce((a, b) => (b > a ? b : a));
const bigMin = (vs: bigint[]) => vs.reduce((a, b) => (b < a ? b : a));

/** Exact share of the usable range a sequence has used, in bigint arithmetic; near-max at 90 %. */
function usage(def: Pick<SequenceDef, 'increment' | 'min' | 'max'>, next: bigint, columnTypes: string[]): { used: number; nearMax: boolean } {
  const ranges = columnTypes.map((t) => TYPE_RANGE[t] ?? WIDEST);
  const lo = bigMax([def.min, ...ranges.map((r) => r[0])]);
  const hi = bigMin([def.max, ...ranges.map((r) => r[1])]);
  const span = hi - lo;
  if (span <= 0n) return { used: 1, nearMax: true };
  const done = isUp(def.increment) ? next - lo : hi - next;
  return { used: Number((done * 1_000_000n) / span) / 1_000_000, nearMax: done * 10n >= span * NEAR_MAX_TENTHS };
}

const ahead = (up: boolean, a: bigint, b: bigint) => (up ? a > b : a < b);

/**
 * Judges every sequence of the target: behind its columns (the next insert collides), behind the
 * source's sequence, near its maximum, or unreadable; and every standalone sequence of the source
 * (by name) that the target lacks or trails. Pure; every comparison is exact (bigint).
 */
export function auditSequences(
  target: AuditSide,
  source: (AuditSide & { plainOnTarget: Set<string>; standalone: SequenceDef[] }) | undefined,
  now: number,
): SequenceAudit {
  const bySeq = new Map<string, SequenceColumn[]>();
  for (const c of target.columns) bySeq.set(seqKey(c), [...(bySeq.get(seqKey(c)) ?? []), c]);
  const findings: SequenceFinding[] = [];
  for (const [sequence, columns] of bySeq) {
    const c0 = columns[0];
    const up = isUp(c0.increment);
    const next = target.values.next.get(sequence);
    const known = columns.filter((c) => c.canReadTable).map((c) => target.values.extreme.get(columnKey(c)) ?? null).filter((v): v is bigint => v !== null);
    const extreme = known.length ? (up ? bigMax(known) : bigMin(known)) : null;
    const problems: SequenceProblem[] = [];
    if (next === undefined || columns.some((c) => !c.canReadTable)) problems.push('unreadable');
    if (next !== undefined && extreme !== null && !ahead(up, next, extreme)) problems.push('behind');
    const sourceNext = source?.values.next.get(sequence);
    if (next !== undefined && sourceNext !== undefined && ahead(up, sourceNext, next)) problems.push('behind-source');
    let used: number | undefined;
    if (next !== undefined) {
      const u = usage(c0, next, columns.map((c) => c.columnType));
      used = u.used;
      if (u.nearMax) problems.push('near-max');
    }
    findings.push({ sequence, columns, increment: c0.increment, next, extreme, sourceNext, used, problems });
  }
  for (const def of source?.standalone ?? []) findings.push(standaloneFinding(def, target, source!.values.next.get(seqKey(def))));
  const sourceByColumn = new Map((source?.columns ?? []).map((c) => [columnKey(c), c]));
  const missingDefaults: MissingDefault[] = (source?.columns ?? [])
    .filter((c) => source!.plainOnTarget.has(columnKey(c)))
    .map((c) => ({ source: c, targetHasSequence: target.sequences.has(seqKey(c)), sourceNext: source!.values.next.get(seqKey(c)) }));
  const identityToAlways = [
    ...target.columns.filter((c) => c.identity === 'd' && sourceByColumn.get(columnKey(c))?.identity === 'a'),
    ...missingDefaults.filter((m) => m.source.identity === 'a').map((m) => m.source),
  ];
  return { findings, missingDefaults, identityToAlways, checkedAt: now };
}

function standaloneFinding(def: SequenceDef, target: AuditSide, sourceNext: bigint | undefined): SequenceFinding {
  const sequence = seqKey(def);
  const onTarget = target.sequences.get(sequence);
  const next = target.values.next.get(sequence);
  const problems: SequenceProblem[] = [];
  if (!onTarget) problems.push('missing');
  else if (next === undefined) problems.push('unreadable');
  // A standalone sequence the bot may not read on the source cannot be synced.
  if (sourceNext === undefined && !problems.includes('unreadable')) problems.push('unreadable');
  if (onTarget && next !== undefined && sourceNext !== undefined && ahead(isUp(def.increment), sourceNext, next)) problems.push('behind-source');
  let used: number | undefined;
  if (onTarget && next !== undefined) {
    const u = usage(onTarget, next, [onTarget.dataType]);
    used = u.used;
    if (u.nearMax) problems.push('near-max');
  }
  return { sequence, columns: [], standalone: { source: def, onTarget: !!onTarget }, increment: def.increment, next, extreme: null, sourceNext, used, problems };
}

/** Behind its columns (the next insert collides), behind the source's own sequence, or missing on the target. */
export function isBehind(f: SequenceFinding): boolean {
  return f.problems.includes('behind') || f.problems.includes('behind-source') || f.problems.includes('missing');
}

export function needsFix(a: SequenceAudit): boolean {
  return a.missingDefaults.length > 0 || a.findings.some(isBehind);
}

/**
 * What a fix run while replication still feeds the target left undone: a lost default still missing,
 * or a sequence not past the value its columns had just before the fix. Sequences behind again only
 * because rows (or source values) arrived after the fix are `overtaken`: the cutover's sequence step
 * fixes them once writes have stopped.
 */
export function fixShortfall(before: SequenceAudit, after: SequenceAudit): { unfixed: string[]; overtaken: string[] } {
  const maxBefore = new Map(before.findings.map((f) => [f.sequence, f]));
  const unfixed = after.missingDefaults.map((m) => `${m.source.tableSchema}.${m.source.tableName}.${m.source.column} (no default)`);
  const overtaken: string[] = [];
  for (const f of after.findings) {
    if (!isBehind(f)) continue;
    const b = maxBefore.get(f.sequence);
    const up = isUp(f.increment);
    const stillBehindOldMax = b?.extreme !== undefined && b.extreme !== null && f.next !== undefined && !ahead(up, f.next, b.extreme);
    if (stillBehindOldMax || f.next === undefined || f.problems.includes('missing')) unfixed.push(f.sequence);
    else overtaken.push(f.sequence);
  }
  return { unfixed, overtaken };
}
