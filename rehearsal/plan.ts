/** Where the rehearsal's stand-ins listen; the plan points the bot at them as a real plan points at Heroku and Rollbar. */
export interface RehearsalEndpoints {
  heroku: string;
  rollbar: string;
  rollbarStatus: string;
  herokuStatus: string;
  slackStatus: string;
}

export const CHANNEL = 'C0DBMIGRATE';
export const DMS_TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:EC2TOAURORA';

/** The people in the console's member switch: two operators, two more approvers, one onlooker. */
export const MEMBERS = [
  { id: 'U0ALICE', name: 'Alice', role: 'operator, approver' },
  { id: 'U0BOB', name: 'Bob', role: 'operator, approver' },
  { id: 'U0CAROL', name: 'Carol', role: 'approver' },
  { id: 'U0DAN', name: 'Dan', role: 'approver' },
  { id: 'U0ERIN', name: 'Erin', role: 'not in the plan' },
] as const;

/**
 * The story's plan (examples/heroku-ec2-aurora.yml) with the rehearsal's endpoints and faster
 * schedules, so that a two-day migration plays in minutes. Same format, same validation.
 */
export function rehearsalPlanYaml(e: RehearsalEndpoints, opts: { errorWatchMinutes: number }): string {
  return `# Written by npm run rehearse: the story's plan, pointed at local stand-ins, on fast schedules.
name: rehearsal
channel: ${CHANNEL}

databases:
  heroku: { url_env: HEROKU_DATABASE_URL, app_url_env: HEROKU_APP_DATABASE_URL, label: 'Heroku Postgres (local)' }
  ec2: { url_env: EC2_DATABASE_URL, app_url_env: EC2_APP_DATABASE_URL, label: 'EC2 Postgres (archive-fed standby, local)' }
  aurora: { url_env: AURORA_DATABASE_URL, app_url_env: AURORA_APP_DATABASE_URL, label: 'Aurora PostgreSQL (local)' }

hops:
  - id: heroku-to-ec2
    method: physical
    source: heroku
    target: ec2
    standby_feed: archive
    app: { platform: heroku, name: acme-api, process_types: [web, worker], config_var: DATABASE_URL, api_url: ${e.heroku} }
    thresholds: { max_lag_seconds: 30 }
  - id: ec2-to-aurora
    method: dms
    source: ec2
    target: aurora
    dms: { task: ${DMS_TASK_ARN}, region: us-east-1 }
    app: { platform: heroku, name: acme-api, process_types: [web, worker], config_var: DATABASE_URL, api_url: ${e.heroku} }

thresholds: { max_lag_seconds: 30, lag_grace_seconds: 20 }

schedule:
  heartbeat: "*/2 * * * * *"
  sample: "*/5 * * * * *"
  update: "0 */5 * * * *"
  dms: "*/10 * * * * *"
  health: "*/15 * * * * *"
  update_mode: edit
  leader_ttl_seconds: 15

alerts: { reminder_minutes: 5, heartbeat_stall_seconds: 30 }
dms_progress: { eta_min_span_seconds: 30, stall_minutes: 3 }
cutover: { fence_timeout_seconds: 60, error_watch_minutes: ${opts.errorWatchMinutes} }

access:
  operators: [${MEMBERS.filter((m) => m.role.includes('operator')).map((m) => m.id).join(', ')}]
  approvers: [${MEMBERS.filter((m) => m.role.includes('approver')).map((m) => m.id).join(', ')}]
  approvals_required: 2
  approval_ttl_minutes: 30

# The app's own queries, timed on each hop's source and target (/migrate bench <hop>); few runs, so it takes seconds.
bench:
  runs: 20
  warmup: 2
  concurrency: 2
  max_ratio: 1.5
  compare: p95
  time_limit_seconds: 60
  queries:
    - { name: orders_of_customer, sql: "SELECT id, amount_cents, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20", params: [42] }
    - { name: revenue_by_day, sql: "SELECT date_trunc('day', created_at) AS day, sum(amount_cents) FROM orders GROUP BY 1 ORDER BY 1", params: [] }

health:
  cache_seconds: 5
  timeout_ms: 3000
  rollbar: { environment: production, base_url: ${e.rollbar}, window_minutes: 5, baseline_hours: 1, spike_ratio: 3, cutover_spike_ratio: 1.5, min_errors: 10 }
  status_pages:
    - { name: Rollbar, kind: statuspage, url: ${e.rollbarStatus} }
    - { name: Heroku, kind: heroku, url: ${e.herokuStatus} }
    - { name: Slack, kind: slack, url: ${e.slackStatus} }
`;
}
