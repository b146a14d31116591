import type { PreviewDeps } from '../cutover/runbook';
import type { AccessControl } from '../access/access-control';
import type { ApprovalService } from '../approvals/approval-service';
import type { Plan } from '../plan/plan';
import type { ApprovalStore } from '../state/approval-store';
import type { AuditLog } from '../state/audit-log';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import type { StateStore } from '../state/state-store';
import type { Keys } from '../state/keys';
import type { MessageView } from '../views/slack-text';
import type { LagMonitor } from '../monitoring/lag-monitor';
import type { SampleStore } from '../state/sample-store';
import type { DmsMonitor } from '../dms/dms-monitor';
import type { HealthGates } from '../gates/health-gates';
import type { SequenceService } from '../sequences/sequence-service';
import type { VerifyService } from '../verify/verify-service';
import type { CutoverRunner } from '../cutover/cutover-runner';
import type { CutoverRunStore } from '../cutover/cutover-run';
import type { Hop } from '../plan/plan';
import type { PreflightCache } from '../checks/preflight/preflight-gate';

/** The domain a command may call: everything below the Slack layer. */
export interface Cutover {
  plan: Plan;
  redis: StateStore;
  keys: Keys;
  lock: MigrationLock;
  migration: MigrationState;
  approvals: ApprovalService;
  approvalStore: ApprovalStore;
  audit: AuditLog;
  access: AccessControl;
  monitor: LagMonitor;
  samples: SampleStore;
  dms: DmsMonitor;
  gates: HealthGates;
  sequences: SequenceService;
  verify: VerifyService;
  runner: CutoverRunner;
  /** Cutover runs, one per hop: the one record of each hop's runbook steps. */
  runs: CutoverRunStore;
  /** Why a hop cannot be cut over with this configuration (no app in the plan, no platform token…), or undefined. */
  cutoverReadiness(hop: Hop): string | undefined;
  /** What the runbook's steps use for a hop (databases, the app's platform, DMS…): --dry-run previews read them. */
  stepDeps(hop: Hop): PreviewDeps;
  /** The newest preflight of each hop (privileges and settings as each role); also one of the gates. */
  preflight: PreflightCache;
  /** Counts each command's outcome and duration for /metrics (the dispatcher calls it once per command). */
  observeCommand?: (subcommand: string, outcome: string, seconds: number) => void;
}

/** A file for the command's channel (e.g. a chart); the reply must make sense without it. */
export interface CommandFile {
  filename: string;
  title: string;
  data: Buffer;
}

export interface Invocation {
  user: string;
  channel: string;
  /** Words after the subcommand. */
  args: string[];
  /** Text after the subcommand, as typed (for free-text reasons). */
  rest: string;
  now: number;
}

/** What a command answers: a reply to the person, and optionally a message for the whole channel. */
export interface CommandResult {
  reply: MessageView;
  announce?: MessageView;
  files?: CommandFile[];
  /** How the audit log records it; defaults to ok. */
  outcome?: 'ok' | 'refused' | 'denied';
  detail?: string;
}

export interface Subcommand {
  name: string;
  /** e.g. "lock [reason]" */
  usage: string;
  summary: string;
  /** Mutating commands are for the plan's operators only. */
  mutating: boolean;
  /**
   * Changes the migration (the lock, the hold, a database, the DMS task, a cutover), so it runs only in
   * the plan's channel, where the team sees it. A function of the words after the subcommand when only
   * some forms do (`sequences fix`, not `sequences check`).
   */
  changesMigration: boolean | ((args: string[]) => boolean);
  /** For forms that cost the databases time: the name a person's limit counts them under (e.g. `sequences check`). */
  databaseCost?(args: string[]): string | undefined;
  run(inv: Invocation, cutover: Cutover): Promise<CommandResult>;
}

/** Thrown by a command whose arguments are wrong: the person gets that command's usage. */
export class UsageError extends Error {}
