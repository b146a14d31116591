import type { SourceWriter } from '../checks/source-writers';
import type { TerminateOutcome } from '../checks/terminate-writers';
import type { CutoverRun } from './cutover-run';

/** What the team decided about the sessions that kept writing: end them, or go on with them. */
export type WritersDecisionKind = 'terminate' | 'continue';

export interface WritersDecision {
  /** Who pressed the button, who approved, when it was recorded, and exactly which sessions. */
  by: string;
  approvedBy: string[];
  at: number;
  writers: SourceWriter[];
}

/** The writers step's findings on a run, and the decisions it carries out when the run resumes. */
export interface StrayWriters {
  /** When the step last stopped on them: a request names this list, and a newer list refuses it. */
  listedAt: number;
  writers: SourceWriter[];
  /** An approved Terminate: the writers step ends these sessions when it runs again, then checks again. */
  terminate?: WritersDecision & { outcome?: TerminateOutcome[] };
  /** Approved "Continue anyway" decisions: these sessions no longer hold the run; what they write after the fence is lost. */
  continued?: WritersDecision[];
}

/** Why a decision about run `runId`'s writers (as listed at `listedAt`, when known) cannot be taken now, or undefined. */
export function writersDecisionRefusal(run: CutoverRun | undefined, hopId: string, runId: string, listedAt?: number): string | undefined {
  if (!run) return `there is no cutover of ${hopId}`;
  if (run.id !== runId) return `this is for run ${runId}; the cutover of ${hopId} is run ${run.id} now`;
  if (run.abortRequested) return `<@${run.abortRequested}> asked to abort this cutover`;
  if (run.status !== 'failed' || run.steps.writers?.status !== 'failed' || !run.strayWriters) return `the cutover is not stopped at the writers check now (it is ${run.status})`;
  if (listedAt !== undefined && run.strayWriters.listedAt !== listedAt) return 'the writers check ran again since, with a new list: decide on the newest timeline';
  return undefined;
}

/** The run with the decision recorded, if it may be taken now (pure: applied in a compare-and-set). */
export function recordWritersDecision(run: CutoverRun | undefined, kind: WritersDecisionKind, d: { hop: string; runId: string; listedAt: number; by: string; approvedBy: string[]; at: number }): { next?: CutoverRun; why?: string } {
  const why = writersDecisionRefusal(run, d.hop, d.runId, d.listedAt);
  if (why || !run?.strayWriters) return { why: why ?? 'no writers listed' };
  const sw = run.strayWriters;
  const decision: WritersDecision = { by: d.by, approvedBy: d.approvedBy, at: d.at, writers: sw.writers };
  const next = kind === 'terminate' ? { ...sw, terminate: decision } : { ...sw, continued: [...(sw.continued ?? []), decision] };
  return { next: { ...run, strayWriters: next } };
}
