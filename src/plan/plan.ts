import type { HopMethod, PlanFile } from './plan-schema';

export interface Thresholds {
  maxLagSeconds: number;
  maxLagBytes: number;
  lagGraceSeconds: number;
  /** DMS hops with CloudWatch: CDCLatencyTarget above this fails the gate. */
  maxCdcLatencySeconds: number;
  /** The plan-wide `alerts.heartbeat_stall_seconds`, here so every lag check sees it. */
  heartbeatStallSeconds: number;
}

export interface Database {
  id: string;
  label: string;
  urlEnv: string;
  /** The environment variable with the URL the app uses (its own role); the cutover points the app at it. */
  appUrlEnv?: string;
  /** An RDS/Aurora database: where RDS and CloudWatch report its own health. */
  rds?: { cluster?: string; instance?: string; region: string };
  /** TLS for every connection to this database (the bot's URL and the app's). */
  tls?: DatabaseTls;
}

export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** A database's TLS as the plan gives it; a mode left out is the URL's sslmode, else "prefer". */
export interface DatabaseTls {
  mode?: TlsMode;
  caFile?: string;
  caEnv?: string;
}

export interface Hop {
  id: string;
  method: HopMethod;
  source: Database;
  target: Database;
  subscription?: string;
  standbyFeed?: 'streaming' | 'archive';
  dms?: { task: string; region: string; cloudwatch?: { replicationInstance: string; taskResourceId: string } };
  app?: { platform: 'heroku' | 'webhook'; name?: string; processTypes: string[]; configVar: string; webhookUrlEnv?: string; webhookSecretEnv?: string; apiUrl: string };
  thresholds: Thresholds;
}

export interface Access {
  operators: string[];
  approvers: string[];
  approvalsRequired: number;
  approvalTtlMs: number;
}

/** The migration as the bot uses it: validated, with defaults applied and references resolved. */
export interface Plan {
  name: string;
  channel: string;
  databases: Database[];
  hops: Hop[];
  access: Access;
  health: PlanFile['health'];
  heartbeat: { schema: string; table: string };
  schedule: { heartbeat: string; sample: string; update: string; dms: string; health: string; updateMode: 'post' | 'edit'; timezone: string; leaderTtlMs: number };
  alerts: { reminderMs: number; heartbeatStallMs: number };
  sequences: { safetyGap: number; exclude: string[] };
  cutover: { fenceTimeoutSeconds: number; errorWatchMinutes: number; resumeMaxAgeMinutes: number; writersTimeoutSeconds: number };
  verify: {
    exactRowLimit: number;
    checksumRanges: number;
    rangeSize: number;
    /** `verify --full`: statements at once per database, each statement's limit, the gate, exclusions. */
    concurrency: number;
    statementTimeoutMs: number;
    gate: 'warn' | 'fail';
    maxAgeHours: number;
    excludeColumns: Record<string, string[]>;
    excludeTables: string[];
    lagWindowSeconds: number;
  };
  /** The full-load ETA needs progress over at least `etaMinSpanMs`; no progress for `stallMs` alerts. */
  dmsProgress: { etaMinSpanMs: number; stallMs: number };
  databaseTimeouts: { connectTimeoutMs: number; statementTimeoutMs: number };
  /** `/migrate bench`: the app's queries and how they are timed on each hop's source and target. */
  bench: BenchPlan;
}

export interface BenchQuery {
  name: string;
  sql: string;
  params: (string | number | boolean | null)[];
}

export interface BenchPlan {
  queries: BenchQuery[];
  runs: number;
  warmup: number;
  concurrency: number;
  maxRatio: number;
  /** The percentile the verdict compares. */
  compare: 'p50' | 'p95' | 'p99';
  statementTimeoutMs: number;
  timeLimitMs: number;
}

export type { HopMethod };

export function hopById(plan: Plan, id: string): Hop | undefined {
  return plan.hops.find((h) => h.id === id);
}
