import type { LockRecord } from '../state/migration-lock';
import type { MigrationRecord } from '../state/migration-state';
import type { CutoverRun } from './cutover-run';

/** What an executor may do next with a step, decided on the run, its lease, the lock and the migration as they are now. */
export type StepClaim =
  | { kind: 'run' }
  | { kind: 'skip' }
  | { kind: 'abort' }
  | { kind: 'hold'; why: string }
  | { kind: 'fenced'; why: string }
  | { kind: 'stopped'; why: string };

export interface ExecutorIdentity {
  token: string;
  fence: number;
}

/** Why this attempt no longer owns the run (its fence replaced, its lease gone), or undefined while it does. */
export function lostRun(run: CutoverRun | undefined, lease: string | null, me: ExecutorIdentity): string | undefined {
  if (!run) return 'the run is gone';
  if (run.fence !== me.fence) return `the run is on fencing token ${run.fence} now, not ${me.fence} (resumed or aborted elsewhere)`;
  if (lease !== me.token) return lease ? 'another executor holds the lease' : 'the executor lease expired';
  return undefined;
}

/** Why this executor may not act (it lost the run, or the lock is not on its fence), or undefined while it may. */
export function fencedOut(run: CutoverRun | undefined, lease: string | null, lock: LockRecord | undefined, me: ExecutorIdentity): string | undefined {
  const lost = lostRun(run, lease, me);
  if (lost) return lost;
  if (!lock) return 'the migration lock was released';
  if (lock.fence !== me.fence) return `the migration lock carries fencing token ${lock.fence}, not ${me.fence}`;
  return undefined;
}

/**
 * Claims `stepId` for this executor: pending → running, in the same atomic check that it still owns
 * the run, that no abort was asked for and that no hold was placed. Pure; applied in a compare-and-set.
 */
export function claimStep(
  run: CutoverRun | undefined,
  lease: string | null,
  lock: LockRecord | undefined,
  migration: MigrationRecord,
  stepId: string,
  me: ExecutorIdentity,
  now: number,
): { next?: CutoverRun; claim: StepClaim } {
  const fenced = fencedOut(run, lease, lock, me);
  if (fenced || !run) return { claim: { kind: 'fenced', why: fenced ?? 'the run is gone' } };
  if (run.status !== 'running') return { claim: { kind: 'stopped', why: `the run is ${run.status}` } };
  if (run.abortRequested) return { claim: { kind: 'abort' } };
  const step = run.steps[stepId];
  if (step.status === 'done' || step.status === 'skipped') return { claim: { kind: 'skip' } };
  if (step.status !== 'pending') return { claim: { kind: 'stopped', why: `step ${stepId} is ${step.status}, not pending` } };
  if (migration.hold) return { claim: { kind: 'hold', why: `a hold was placed by <@${migration.hold.by}> (${migration.hold.reason}): ${stepId} did not start` } };
  // A step run again says its doubts again: the warnings of an earlier attempt of it go.
  const warnings = run.warnings?.filter((w) => w.step !== stepId);
  return { next: { ...run, warnings, steps: { ...run.steps, [stepId]: { ...step, status: 'running', startedAt: now, attempts: step.attempts + 1 } } }, claim: { kind: 'run' } };
}

/** Records the step's end, only if this executor still owns the run and the step is the one it claimed. */
export function recordStepEnd(run: CutoverRun | undefined, me: ExecutorIdentity, stepId: string, status: 'done' | 'failed', result: string, now: number): CutoverRun | undefined {
  if (!run || run.fence !== me.fence || run.steps[stepId]?.status !== 'running') return undefined;
  const steps = { ...run.steps, [stepId]: { ...run.steps[stepId], status, finishedAt: now, result } };
  return status === 'failed' ? { ...run, status: 'failed', failure: result, stoppedAt: now, steps } : { ...run, steps };
}
