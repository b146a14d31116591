import type { DatabaseSet } from '../../db/database-set';
import { quoteIdent } from '../../db/database';
import type { DmsMonitor } from '../../dms/dms-monitor';
import type { RollbarDeploys } from '../../health/rollbar-deploys';
import type { AppControl } from '../../platform/app-control';
import type { Hop, Plan } from '../../plan/plan';
import type { SequenceService } from '../../sequences/sequence-service';
import type { CutoverRun } from '../cutover-run';

export interface RunbookDeps {
  plan: Plan;
  hop: Hop;
  databases: DatabaseSet;
  app: AppControl;
  sequences: SequenceService;
  dms: DmsMonitor;
  deploys: RollbarDeploys;
  /** The bot's own URLs (url_env): never given to the app. */
  sourceUrl: string;
  targetUrl: string;
  /** The app's URLs (app_url_env): what the app is pointed at, and the role the app-role step checks. */
  sourceAppUrl: string;
  targetAppUrl: string;
  fenceTimeoutMs: number;
  /** Records something on the run (formation to restore, deploy id, the downtime clock). */
  note(change: (run: CutoverRun) => CutoverRun): Promise<CutoverRun>;
  run: () => CutoverRun;
  /** Records a doubt about this step without stopping the run: shown as ⚠️ with `text` until acknowledged. */
  warn(text: string): Promise<void>;
}

/** What `--dry-run` may read: the plan, and the live systems for a preview (never written). */
export type PreviewDeps = Omit<RunbookDeps, 'note' | 'run' | 'warn'>;

export class FenceTimeout extends Error {}

export interface Step {
  id: string;
  title: string;
  /** Runs the step; safe to run again after an interruption. Returns a one-line result. */
  run(d: RunbookDeps): Promise<string>;
  /** The exact calls and SQL, for --dry-run. */
  describe(d: Pick<RunbookDeps, 'plan' | 'hop'>): string[];
  /** What the step would meet today (read-only), for --dry-run; a failure to look is shown, not thrown. */
  preview?(d: PreviewDeps): Promise<string[]>;
  /** Puts back what this step did, for an abort before the app took writes on the target. */
  undo?(d: RunbookDeps): Promise<string>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The heartbeat table, quoted. */
export const heartbeatTable = (plan: Pick<Plan, 'heartbeat'>) => `${quoteIdent(plan.heartbeat.schema)}.${quoteIdent(plan.heartbeat.table)}`;
