import cron from 'node-cron';
import { z } from 'zod';
import { looksReadOnly } from '../bench/read-only-query';

const envVarName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (A-Z, 0-9, _), never a URL');

// Slack user IDs start with U or W, user-group IDs with S.
const slackPrincipal = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'must be a Slack user ID (U…/W…) or user-group ID (S…)');

/** The rule of each threshold; the plan-wide block gives them defaults, a hop's block does not. */
const thresholdField = {
  max_lag_seconds: z.number().positive(),
  max_lag_bytes: z.number().int().positive(),
  lag_grace_seconds: z.number().int().nonnegative(),
  /** DMS hops with `dms.cloudwatch`: the newest one-minute average of CDCLatencyTarget. */
  max_cdc_latency_seconds: z.number().positive(),
};

export const THRESHOLD_DEFAULTS = {
  max_lag_seconds: 30,
  max_lag_bytes: 64 * 1024 * 1024,
  lag_grace_seconds: 120,
  max_cdc_latency_seconds: 60,
} satisfies Record<keyof typeof thresholdField, number>;

const thresholds = z
  .object({
    max_lag_seconds: thresholdField.max_lag_seconds.default(THRESHOLD_DEFAULTS.max_lag_seconds),
    max_lag_bytes: thresholdField.max_lag_bytes.default(THRESHOLD_DEFAULTS.max_lag_bytes),
    lag_grace_seconds: thresholdField.lag_grace_seconds.default(THRESHOLD_DEFAULTS.lag_grace_seconds),
    max_cdc_latency_seconds: thresholdField.max_cdc_latency_seconds.default(THRESHOLD_DEFAULTS.max_cdc_latency_seconds),
  })
  .strict();

// No defaults: a field a hop leaves out takes the plan-wide value (zod's .partial() would keep a .default()).
const hopThresholds = z.object(thresholdField).partial().strict();

/** A managed target on RDS/Aurora: its backups, protection and members are read from RDS (exactly one of cluster, instance). */
const rdsTarget = z
  .object({ cluster: z.string().min(1).optional(), instance: z.string().min(1).optional(), region: z.string().min(1) })
  .strict()
  .refine((r) => Boolean(r.cluster) !== Boolean(r.instance), 'names exactly one of cluster (Aurora) or instance (RDS)');

/** libpq's sslmode values, with libpq's meaning (src/db/tls-options.ts). */
export const TLS_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

const databaseTls = z
  .object({
    mode: z.enum(TLS_MODES).optional(),
    /** A PEM bundle on disk (e.g. RDS's global-bundle.pem). */
    ca_file: z.string().min(1).optional(),
    /** An environment variable holding the PEM bundle itself (where files are awkward, e.g. a Heroku dyno). */
    ca_env: envVarName.optional(),
  })
  .strict()
  .refine((t) => !(t.ca_file && t.ca_env), { message: 'give ca_file or ca_env, not both' })
  .refine((t) => t.mode !== 'verify-ca' || t.ca_file || t.ca_env, { message: 'verify-ca needs ca_file or ca_env (the CA to check the chain against)' });

const database = z
  .object({
    url_env: envVarName,
    /** TLS to this database; left out, the URL's sslmode decides, else "prefer" (libpq's default). */
    tls: databaseTls.optional(),
    /** The URL the application should use for this database (its own role), set on the app at the cutover. */
    app_url_env: envVarName.optional(),
    label: z.string().optional(),
    rds: rdsTarget.optional(),
  })
  .strict();

const appControl = z
  .object({
    platform: z.enum(['heroku', 'webhook']),
    name: z.string().min(1).optional(),
    process_types: z.array(z.string().min(1)).default(['web']),
    config_var: z.string().min(1).default('DATABASE_URL'),
    webhook_url_env: envVarName.optional(),
    /** The HMAC key that signs each webhook call (docs/webhook/README.md). */
    webhook_secret_env: envVarName.optional(),
    /** The Heroku Platform API's base URL (tests point it at a stand-in). */
    api_url: z.url().default('https://api.heroku.com'),
  })
  .strict();

const dmsTask = z
  .object({
    task: z.string().min(1, 'names the replication task (ARN or identifier)'),
    region: z.string().min(1),
    /** CloudWatch CDC latency (AWS/DMS CDCLatencySource/Target) needs these two dimensions. */
    cloudwatch: z.object({ replication_instance: z.string().min(1), task_resource_id: z.string().min(1) }).strict().optional(),
  })
  .strict();

const appRefine = (a: { platform: string; webhook_url_env?: string; webhook_secret_env?: string; name?: string }, ctx: z.RefinementCtx) => {
  if (a.platform === 'webhook' && !a.webhook_url_env) ctx.addIssue({ code: 'custom', path: ['webhook_url_env'], message: 'is required for the webhook platform' });
  if (a.platform === 'webhook' && !a.webhook_secret_env) ctx.addIssue({ code: 'custom', path: ['webhook_secret_env'], message: 'is required for the webhook platform (the HMAC key that signs each call)' });
  if (a.platform === 'heroku' && !a.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is required for a Heroku app' });
};

const hop = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
    method: z.enum(['physical', 'logical', 'dms']),
    source: z.string().min(1),
    target: z.string().min(1),
    subscription: z.string().optional(),
    /** physical hops: how the standby is fed; guessed from what it reports when absent. */
    standby_feed: z.enum(['streaming', 'archive']).optional(),
    dms: dmsTask.optional(),
    app: appControl.superRefine(appRefine).optional(),
    thresholds: hopThresholds.optional(),
  })
  .strict()
  .superRefine((h, ctx) => {
    if (h.method === 'dms' && !h.dms) {
      ctx.addIssue({ code: 'custom', path: ['dms'], message: 'is required for a dms hop (task and region)' });
    }
    if (h.method === 'logical' && !h.subscription) {
      ctx.addIssue({ code: 'custom', path: ['subscription'], message: 'is required for a logical hop' });
    }
  });

const access = z
  .object({
    operators: z.array(slackPrincipal).min(1, 'needs at least one operator'),
    approvers: z.array(slackPrincipal).min(1, 'needs at least one approver'),
    approvals_required: z.number().int().min(1).default(2),
    approval_ttl_minutes: z.number().int().min(1).max(24 * 60).default(30),
  })
  .strict();

const statusLevel = z.enum(['minor', 'major', 'critical', 'maintenance']);

const statusPage = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['statuspage', 'heroku', 'slack']),
    url: z.url(),
    components: z.array(z.string()).optional(),
    warn_on: z.array(statusLevel).default(['minor', 'maintenance']),
    fail_on: z.array(statusLevel).default(['major', 'critical']),
  })
  .strict();

const health = z
  .object({
    rollbar: z
      .object({
        environment: z.string().min(1),
        base_url: z.url().default('https://api.rollbar.com'),
        /** Links in reports point here (the project's Rollbar page). */
        project_url: z.url().optional(),
        window_minutes: z.number().int().min(1).max(60).default(15),
        baseline_hours: z.number().int().min(1).max(168).default(6),
        spike_ratio: z.number().positive().default(3),
        cutover_spike_ratio: z.number().positive().default(1.5),
        /** Below this many errors in the window, no spike is called (a handful is noise). */
        min_errors: z.number().int().min(0).default(10),
      })
      .strict()
      .optional(),
    timeout_ms: z.number().int().positive().default(5000),
    cache_seconds: z.number().int().min(0).default(30),
    status_pages: z.array(statusPage).default([]),
  })
  .strict();

const cronExpression = z.string().refine((e) => cron.validate(e), 'must be a cron expression (node-cron, seconds first allowed: "*/15 * * * * *")');

const schedule = z
  .object({
    heartbeat: cronExpression.default('*/5 * * * * *'),
    sample: cronExpression.default('*/15 * * * * *'),
    update: cronExpression.default('0 */30 * * * *'),
    dms: cronExpression.default('0 * * * * *'),
    health: cronExpression.default('30 * * * * *'),
    /** post: a new message each period; edit: one message edited in place. */
    update_mode: z.enum(['post', 'edit']).default('post'),
    timezone: z.string().default('UTC'),
    /** How long a dead leader keeps the jobs before another process takes them over. */
    leader_ttl_seconds: z.number().int().min(1).default(15),
  })
  .strict();

const alerts = z
  .object({
    reminder_minutes: z.number().int().min(0).default(30),
    heartbeat_stall_seconds: z.number().int().positive().default(60),
  })
  .strict();

const heartbeat = z
  .object({
    schema: z.string().min(1).default('public'),
    table: z.string().min(1).default('cutover_heartbeat'),
  })
  .strict();

const databaseTimeouts = z
  .object({
    connect_timeout_ms: z.number().int().positive().default(3000),
    statement_timeout_ms: z.number().int().positive().default(5000),
  })
  .strict();

/** `/migrate bench`: the app's own queries, timed on each hop's source and target (plan-wide: the same app meets every hop). */
const benchQuery = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, dashes and underscores'),
    sql: z.string().min(1).refine(looksReadOnly, 'must be one read (it starts with SELECT, WITH, VALUES or TABLE and writes nothing): bench runs every query in a READ ONLY transaction'),
    params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).default([]),
  })
  .strict();

export const BENCH_DEFAULTS = { queries: [], runs: 30, warmup: 3, concurrency: 1, max_ratio: 1.5, compare: 'p95', statement_timeout_ms: 10_000, time_limit_seconds: 120 } as const;

const bench = z
  .object({
    queries: z.array(benchQuery).max(20).default([]),
    /** Timed runs of each query on each side. */
    runs: z.number().int().min(1).max(1000).default(BENCH_DEFAULTS.runs),
    /** Untimed runs first (warms the caches and the connections). */
    warmup: z.number().int().min(0).max(100).default(BENCH_DEFAULTS.warmup),
    /** Connections at once on each side, each its own (never the bot's pool). */
    concurrency: z.number().int().min(1).max(8).default(BENCH_DEFAULTS.concurrency),
    /** A query whose target ÷ source (at `compare`) is above this is NO-GO. */
    max_ratio: z.number().min(1).default(BENCH_DEFAULTS.max_ratio),
    compare: z.enum(['p50', 'p95', 'p99']).default(BENCH_DEFAULTS.compare),
    statement_timeout_ms: z.number().int().positive().max(600_000).default(BENCH_DEFAULTS.statement_timeout_ms),
    /** The whole bench of a hop stops here; what did not finish is NO-GO. */
    time_limit_seconds: z.number().int().positive().max(3600).default(BENCH_DEFAULTS.time_limit_seconds),
  })
  .strict()
  .superRefine((b, ctx) => {
    const seen = new Set<string>();
    b.queries.forEach((q, i) => {
      if (seen.has(q.name)) ctx.addIssue({ code: 'custom', path: ['queries', i, 'name'], message: `"${q.name}" names two queries` });
      seen.add(q.name);
    });
  });

export const planSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes (it names the Redis keys)'),
    channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel ID (C…/G…)'),
    databases: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), database),
    hops: z.array(hop).min(1, 'needs at least one hop'),
    thresholds: thresholds.default(THRESHOLD_DEFAULTS),
    access,
    health: health.default({ status_pages: [], timeout_ms: 5000, cache_seconds: 30 }),
    heartbeat: heartbeat.default({ schema: 'public', table: 'cutover_heartbeat' }),
    schedule: schedule.default({ heartbeat: '*/5 * * * * *', sample: '*/15 * * * * *', update: '0 */30 * * * *', dms: '0 * * * * *', health: '30 * * * * *', update_mode: 'post', timezone: 'UTC', leader_ttl_seconds: 15 }),
    cutover: z
      .object({
        fence_timeout_seconds: z.number().positive().default(120),
        error_watch_minutes: z.number().int().min(0).default(15),
        /** A failed or interrupted run older than this resumes only after a new approval. */
        resume_max_age_minutes: z.number().positive().default(30),
        /** After the app is stopped, how long sessions still able to write on the source may take to end. */
        writers_timeout_seconds: z.number().positive().default(30),
      })
      .strict()
      .default({ fence_timeout_seconds: 120, error_watch_minutes: 15, resume_max_age_minutes: 30, writers_timeout_seconds: 30 }),
    sequences: z
      .object({
        safety_gap: z.number().int().min(0).default(0),
        /** Standalone sequences ("schema.name") not synced from the source. */
        exclude: z.array(z.string().regex(/^[^.]+\.[^.]+$/, 'must be "schema.sequence"')).default([]),
      })
      .strict()
      .default({ safety_gap: 0, exclude: [] }),
    verify: z
      .object({
        exact_row_limit: z.number().int().min(0).default(1_000_000),
        checksum_ranges: z.number().int().min(1).default(4),
        range_size: z.number().int().min(1).default(1000),
        /** `verify --full`: statements at once on each database. */
        concurrency: z.number().int().min(1).max(16).default(2),
        /** `verify --full`: each statement's limit (longer than database_timeouts: a segment reads many rows). */
        statement_timeout_ms: z.number().int().positive().default(300_000),
        /** A stale, failed or missing full verify: a warning, or (fail) a blocking gate. */
        gate: z.enum(['warn', 'fail']).default('warn'),
        max_age_hours: z.number().positive().default(24),
        /** Columns a migration is expected to change, by table: {"public.users": ["updated_at"]}. */
        exclude_columns: z.record(z.string().regex(/^[^.]+\.[^.]+$/, 'must be "schema.table"'), z.array(z.string().min(1))).default({}),
        /** Tables left out of the full verify ("schema.table"). */
        exclude_tables: z.array(z.string().regex(/^[^.]+\.[^.]+$/, 'must be "schema.table"')).default([]),
        /** On a live hop: how long to wait for the target to show a heartbeat written after the first check. */
        lag_window_seconds: z.number().positive().default(120),
      })
      .strict()
      .default({ exact_row_limit: 1_000_000, checksum_ranges: 4, range_size: 1000, concurrency: 2, statement_timeout_ms: 300_000, gate: 'warn', max_age_hours: 24, exclude_columns: {}, exclude_tables: [], lag_window_seconds: 120 }),
    alerts: alerts.default({ reminder_minutes: 30, heartbeat_stall_seconds: 60 }),
    dms_progress: z
      .object({ eta_min_span_seconds: z.number().int().positive().default(300), stall_minutes: z.number().positive().default(15) })
      .strict()
      .default({ eta_min_span_seconds: 300, stall_minutes: 15 }),
    database_timeouts: databaseTimeouts.default({ connect_timeout_ms: 3000, statement_timeout_ms: 5000 }),
    bench: bench.default({ ...BENCH_DEFAULTS, queries: [] }),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.hops.forEach((h, i) => {
      if (seen.has(h.id)) ctx.addIssue({ code: 'custom', path: ['hops', i, 'id'], message: `"${h.id}" is used by two hops` });
      seen.add(h.id);
      for (const end of ['source', 'target'] as const) {
        if (!(h[end] in p.databases)) {
          ctx.addIssue({ code: 'custom', path: ['hops', i, end], message: `"${h[end]}" is not one of the plan's databases` });
        }
      }
      if (h.source === h.target) ctx.addIssue({ code: 'custom', path: ['hops', i, 'target'], message: 'must differ from source' });
    });
  });

export type PlanFile = z.infer<typeof planSchema>;
export type HopMethod = PlanFile['hops'][number]['method'];
