import type { FixStatement } from './sequence-fix';

/**
 * The complete SQL file of a sequence fix, as approvers read it and as its hash is taken: every
 * statement, each `$1` explained above it (the formula, and the value seen when the fix was asked for).
 */
export function sequenceFixFile(hopId: string, targetId: string, statements: FixStatement[]): string {
  const lines = [
    `-- Sequence fix for ${hopId} on ${targetId}: ${statements.length} statements, run in one transaction.`,
    "-- $1 is the source's next value of the sequence named above the statement, read when the fix runs, not when it was asked for.",
  ];
  for (const s of statements) {
    if (s.sourceNextOf) lines.push(`-- $1 = next value of ${s.sourceNextOf} on the source (${s.seenAtPlan ?? 'unknown'} when requested)`);
    lines.push(s.sql);
  }
  return lines.join('\n') + '\n';
}
