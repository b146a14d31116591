import type { SequenceColumn } from './sequence-catalog';
import { columnKey, seqKey, type SequenceValues } from './sequence-values';

export type SequenceProblem = 'behind' | 'behind-source' | 'near-max' | 'unreadable';

export interface SequenceFinding {
  sequence: string;
  columns: SequenceColumn[];
  increment: number;
  /** What nextval() returns next; undefined when the role may not read the sequence. */
  next?: number;
  /** The highest (lowest, for negative increments) value in the columns it feeds; null when they are empty. */
  extreme?: number | null;
  /** The source's own next value of the same sequence, when the source was read. */
  sourceNext?: number;
  /** Fraction of the usable range used (the smaller of the sequence's and the column type's). */
  used?: number;
  problems: SequenceProblem[];
}

/** A column that is serial or identity on the source but has neither a default nor identity on the target. */
export interface MissingDefault {
  source: SequenceColumn;
  /** Whether the target has the sequence (only the default is missing). */
  targetHasSequence: boolean;
}

export interface SequenceAudit {
  findings: SequenceFinding[];
  missingDefaults: MissingDefault[];
  checkedAt: number;
}

const TYPE_MAX: Record<string, number> = { smallint: 32767, integer: 2147483647, bigint: Number.MAX_SAFE_INTEGER };
const NEAR_MAX = 0.9;

/**
 * Judges every sequence of the target: behind its columns (the next insert collides), behind the
 * source's sequence, near its maximum, or unreadable. Pure.
 */
export function auditSequences(
  target: { columns: SequenceColumn[]; values: SequenceValues; sequences: Set<string> },
  source: { columns: SequenceColumn[]; values: SequenceValues; plainOnTarget: Set<string> } | undefined,
  now: number,
): SequenceAudit {
  const bySeq = new Map<string, SequenceColumn[]>();
  for (const c of target.columns) bySeq.set(seqKey(c), [...(bySeq.get(seqKey(c)) ?? []), c]);
  const findings: SequenceFinding[] = [];
  for (const [sequence, columns] of bySeq) {
    const c0 = columns[0];
    const next = target.values.next.get(sequence);
    const extremes = columns.filter((c) => c.canReadTable).map((c) => target.values.extreme.get(columnKey(c)) ?? null);
    const known = extremes.filter((v): v is number => v !== null);
    const up = c0.increment > 0;
    const extreme = known.length ? (up ? Math.max(...known) : Math.min(...known)) : null;
    const problems: SequenceProblem[] = [];
    if (next === undefined || columns.some((c) => !c.canReadTable)) problems.push('unreadable');
    if (next !== undefined && extreme !== null && (up ? next <= extreme : next >= extreme)) problems.push('behind');
    const sourceNext = source?.values.next.get(sequence);
    if (next !== undefined && sourceNext !== undefined && (up ? next < sourceNext : next > sourceNext)) problems.push('behind-source');
    let used: number | undefined;
    if (next !== undefined) {
      const typeMax = Math.min(...columns.map((c) => TYPE_MAX[c.columnType] ?? Number.MAX_SAFE_INTEGER));
      const hi = up ? Math.min(c0.max, typeMax) : c0.max;
      const lo = up ? c0.min : Math.max(c0.min, -typeMax);
      used = up ? (next - c0.min) / (hi - c0.min) : (c0.max - next) / (c0.max - lo);
      if (used >= NEAR_MAX) problems.push('near-max');
    }
    findings.push({ sequence, columns, increment: c0.increment, next, extreme, sourceNext, used, problems });
  }
  const missingDefaults: MissingDefault[] = (source?.columns ?? [])
    .filter((c) => source!.plainOnTarget.has(columnKey(c)))
    .map((c) => ({ source: c, targetHasSequence: target.sequences.has(seqKey(c)) }));
  return { findings, missingDefaults, checkedAt: now };
}

/** Behind its columns (the next insert collides) or behind the source's own sequence. */
export function isBehind(f: SequenceFinding): boolean {
  return f.problems.includes('behind') || f.problems.includes('behind-source');
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
    const up = f.increment > 0;
    const stillBehindOldMax = b?.extreme !== undefined && b.extreme !== null && f.next !== undefined && (up ? f.next <= b.extreme : f.next >= b.extreme);
    if (stillBehindOldMax || f.next === undefined) unfixed.push(f.sequence);
    else overtaken.push(f.sequence);
  }
  return { unfixed, overtaken };
}
