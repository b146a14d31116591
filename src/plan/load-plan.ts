import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { planSchema, type PlanFile } from './plan-schema';
import { hopThresholds } from './hop-thresholds';
import type { Database, Plan } from './plan';

export class PlanError extends Error {}

/**
 * Reads, validates and resolves a plan file. Throws PlanError naming each bad field,
 * e.g. `hops[1].method: expected one of "physical"|"logical"|"dms"`.
 * With `env`, every database's url_env must be set there.
 */
export function loadPlan(path: string, env?: NodeJS.ProcessEnv): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PlanError(`cannot read plan file ${path}: ${(e as Error).message}`);
  }
  return parsePlan(text, path, env);
}

export function parsePlan(text: string, source = 'plan', env?: NodeJS.ProcessEnv): Plan {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    throw new PlanError(`${source}: not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`);
    throw new PlanError(`${source} is not a valid plan:\n  ${problems.join('\n  ')}`);
  }
  const plan = resolve(parsed.data);
  if (env) {
    const missing = plan.databases.filter((d) => !env[d.urlEnv]).map((d) => `databases.${d.id}.url_env: environment variable ${d.urlEnv} is not set`);
    if (missing.length) throw new PlanError(`${source}:\n  ${missing.join('\n  ')}`);
  }
  return plan;
}

function fieldPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function resolve(file: PlanFile): Plan {
  const databases: Database[] = Object.entries(file.databases).map(([id, d]) => ({ id, label: d.label ?? id, urlEnv: d.url_env, appUrlEnv: d.app_url_env, rds: d.rds, tls: d.tls && { mode: d.tls.mode, caFile: d.tls.ca_file, caEnv: d.tls.ca_env } }));
  const db = (id: string) => databases.find((d) => d.id === id) as Database;
  return {
    name: file.name,
    channel: file.channel,
    databases,
    hops: file.hops.map((h) => ({
      id: h.id,
      method: h.method,
      source: db(h.source),
      target: db(h.target),
      subscription: h.subscription,
      standbyFeed: h.standby_feed,
      dms: h.dms && { task: h.dms.task, region: h.dms.region, cloudwatch: h.dms.cloudwatch && { replicationInstance: h.dms.cloudwatch.replication_instance, taskResourceId: h.dms.cloudwatch.task_resource_id } },
      app: h.app && {
        platform: h.app.platform,
        name: h.app.name,
        processTypes: h.app.process_types,
        configVar: h.app.config_var,
        webhookUrlEnv: h.app.webhook_url_env,
        webhookSecretEnv: h.app.webhook_secret_env,
        apiUrl: h.app.api_url,
      },
      thresholds: hopThresholds(file.thresholds, h.thresholds, file.alerts.heartbeat_stall_seconds),
    })),
    access: {
      operators: file.access.operators,
      approvers: file.access.approvers,
      approvalsRequired: file.access.approvals_required,
      approvalTtlMs: file.access.approval_ttl_minutes * 60_000,
    },
    health: file.health,
    heartbeat: file.heartbeat,
    schedule: {
      heartbeat: file.schedule.heartbeat,
      sample: file.schedule.sample,
      update: file.schedule.update,
      dms: file.schedule.dms,
      health: file.schedule.health,
      updateMode: file.schedule.update_mode,
      timezone: file.schedule.timezone,
      leaderTtlMs: file.schedule.leader_ttl_seconds * 1000,
    },
    sequences: { safetyGap: file.sequences.safety_gap, exclude: file.sequences.exclude },
    cutover: { fenceTimeoutSeconds: file.cutover.fence_timeout_seconds, errorWatchMinutes: file.cutover.error_watch_minutes, resumeMaxAgeMinutes: file.cutover.resume_max_age_minutes, writersTimeoutSeconds: file.cutover.writers_timeout_seconds },
    verify: {
      exactRowLimit: file.verify.exact_row_limit,
      checksumRanges: file.verify.checksum_ranges,
      rangeSize: file.verify.range_size,
      concurrency: file.verify.concurrency,
      statementTimeoutMs: file.verify.statement_timeout_ms,
      gate: file.verify.gate,
      maxAgeHours: file.verify.max_age_hours,
      excludeColumns: file.verify.exclude_columns,
      excludeTables: file.verify.exclude_tables,
      lagWindowSeconds: file.verify.lag_window_seconds,
    },
    dmsProgress: { etaMinSpanMs: file.dms_progress.eta_min_span_seconds * 1000, stallMs: file.dms_progress.stall_minutes * 60_000 },
    alerts: { reminderMs: file.alerts.reminder_minutes * 60_000, heartbeatStallMs: file.alerts.heartbeat_stall_seconds * 1000 },
    databaseTimeouts: { connectTimeoutMs: file.database_timeouts.connect_timeout_ms, statementTimeoutMs: file.database_timeouts.statement_timeout_ms },
    bench: {
      queries: file.bench.queries.map((q) => ({ name: q.name, sql: q.sql, params: q.params })),
      runs: file.bench.runs,
      warmup: file.bench.warmup,
      concurrency: file.bench.concurrency,
      maxRatio: file.bench.max_ratio,
      compare: file.bench.compare,
      statementTimeoutMs: file.bench.statement_timeout_ms,
      timeLimitMs: file.bench.time_limit_seconds * 1000,
    },
  };
}
