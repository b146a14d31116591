/** A DMS replication task as the bot needs it (times in ms). */
export interface DmsTask {
  arn: string;
  id: string;
  status: string;
  migrationType: string;
  stopReason?: string;
  lastFailureMessage?: string;
  fullLoadPercent?: number;
  elapsedMs?: number;
  tablesLoaded?: number;
  tablesLoading?: number;
  tablesQueued?: number;
  tablesErrored?: number;
  startedAt?: number;
  fullLoadFinishedAt?: number;
  recoveryCheckpoint?: string;
  /** The ReplicationTaskSettings JSON, only when asked for (`describeTask(task, { withSettings: true })`). */
  settings?: string;
}

export interface DmsTableStat {
  schema: string;
  table: string;
  state: string;
  fullLoadRows: number;
  inserts: number;
  updates: number;
  deletes: number;
  fullLoadErrorRows: number;
  fullLoadStartedAt?: number;
  fullLoadEndedAt?: number;
  lastUpdatedAt?: number;
  validationState?: string;
  validationFailed: number;
  validationPending: number;
  validationSuspended: number;
}

export type StartType = 'start-replication' | 'resume-processing' | 'reload-target';

/** The DMS calls the bot makes; the wiring gives it the AWS SDK client. */
export interface DmsPort {
  describeTask(task: string, opts?: { withSettings?: boolean }): Promise<DmsTask>;
  /** Every table's statistics, paged through (500 a page). */
  tableStatistics(taskArn: string): Promise<DmsTableStat[]>;
  startTask(taskArn: string, type: StartType): Promise<DmsTask>;
  stopTask(taskArn: string): Promise<DmsTask>;
  reloadTables(taskArn: string, tables: { schema: string; table: string }[]): Promise<void>;
}

/** A DMS API failure, said plainly: what kind, and the service's own message. */
export class DmsApiError extends Error {
  constructor(
    readonly kind: 'not-found' | 'access-denied' | 'throttled' | 'invalid-state' | 'timeout' | 'other',
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DmsApiError';
  }
}
