import type { FormationEntry } from '../platform/heroku-api';
import { readJson, updateJson } from '../state/compare-and-set';
import type { StateStore } from '../state/state-store';
import type { StrayWriters } from './writers-decision';

/**
 * running → done; running → failed | interrupted → running (Resume, a new attempt) or aborting (Abort);
 * running → aborting (Abort, at the next step) → aborted; done → rolled-back (an approved Roll back).
 */
export type RunStatus = 'running' | 'aborting' | 'failed' | 'interrupted' | 'aborted' | 'done' | 'rolled-back';
export type RunStepStatus = 'pending' | 'running' | 'done' | 'failed' | 'interrupted' | 'skipped';

export interface RunStep {
  status: RunStepStatus;
  startedAt?: number;
  finishedAt?: number;
  result?: string;
  /** How many times the step was started (1 unless a person resumed an interrupted one). */
  attempts: number;
}

/** A doubt a step raised without stopping: ⚠️ with its reason, never a ✅. */
export interface RunWarning {
  step: string;
  text: string;
  at: number;
}

/** The warnings nobody has acknowledged yet. */
export function openWarnings(run: CutoverRun | undefined): RunWarning[] {
  return run?.warnings && !run.warningsAcknowledged ? run.warnings : [];
}

/** One cutover of one hop, as it runs: every step's state, the downtime clock, what to restore. */
export interface CutoverRun {
  id: string;
  hop: string;
  requester: string;
  /** The fencing token of the current attempt: every start, resume and abort takes a new, larger one. */
  fence: number;
  /** How many attempts (start, resumes, an abort's roll back) the run has had. */
  attempt: number;
  /** The bot process executing the current attempt. */
  owner: string;
  status: RunStatus;
  steps: Record<string, RunStep>;
  startedAt: number;
  finishedAt?: number;
  /** When it last stopped as failed or interrupted: Resume needs a new approval after resume_max_age_minutes. */
  stoppedAt?: number;
  writesStoppedAt?: number;
  appBackAt?: number;
  savedFormation?: FormationEntry[];
  deployId?: number;
  abortRequested?: string;
  failure?: string;
  message?: { channel: string; ts: string };
  undo?: string[];
  /** What a step found doubtful without stopping the run (e.g. archiving off after the cutover): shown until acknowledged. */
  warnings?: RunWarning[];
  /** Who acknowledged the warnings, and when: `status` stops listing them. */
  warningsAcknowledged?: { by: string; at: number };
  /** Sessions the writers step found still writing on the source, and what the team decided about them. */
  strayWriters?: StrayWriters;
  /** Set when the app was sent back to the source after the cutover (a spike, a person's call). */
  rolledBack?: { by: string; at: number; result: string };
}

/** Cutover runs in Redis, one per hop (the latest), changed only by atomic read-modify-write. */
export class CutoverRunStore {
  constructor(
    private readonly redis: StateStore,
    readonly key: (hop: string) => string,
  ) {}

  get(hop: string): Promise<CutoverRun | undefined> {
    return readJson<CutoverRun>(this.redis, this.key(hop));
  }

  /** Applies `change` atomically; `change` returns undefined to leave the run alone. */
  async update(hop: string, change: (run: CutoverRun) => CutoverRun | undefined): Promise<CutoverRun | undefined> {
    const out = await updateJson<CutoverRun, boolean>(this.redis, this.key(hop), (cur) => {
      const next = cur && change(cur);
      return { next, result: next !== undefined };
    });
    return out.result ? out.value : undefined;
  }
}
