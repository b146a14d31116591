import { randomBytes } from 'node:crypto';
import type { CutoverRun } from '../../src/cutover/cutover-run';
import { parsePlan } from '../../src/plan/load-plan';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import { BotHarness } from './bot-harness';
import { ClusterFolder, PgCluster } from './pg-cluster';
import { eventually } from './free-port';
import type { Plan } from '../../src/plan/plan';
import { RollbarStandIn } from './health-stand-ins';
import { HerokuStandIn } from './heroku-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from './test-plan';

export const HEROKU_TOKEN = 'heroku-api-token-0123456789';

/** The app's own login role, distinct from the bot's (the bot connects as the superuser "postgres"). */
export const APP_ROLE = 'acme_app';
export const APP_PASSWORD = 'acme-app-password-7731';

/** The app's URL on a cluster: its own role, never the bot's. */
export const appUrl = (c: PgCluster, db = 'app') => c.url(db, APP_ROLE, APP_PASSWORD);

/**
 * Creates the app's role on a cluster (if not there) with what an app has: CONNECT, and SELECT/INSERT/
 * UPDATE/DELETE on the tables and USAGE on the sequences of `public`, today's and those the bot creates
 * later (default privileges: a sequence the cutover recreates on a DMS target is usable too). Returns its URL.
 */
export async function createAppRole(c: PgCluster, db = 'app'): Promise<string> {
  await c.sql(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}' NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$`);
  await c.sql(`GRANT CONNECT ON DATABASE ${db} TO ${APP_ROLE}`);
  await c.sql(
    `GRANT USAGE ON SCHEMA public TO ${APP_ROLE};
     GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE};
     GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE};
     ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE};
     ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE};`,
    [],
    db,
  );
  return appUrl(c, db);
}

/** The environment of a one-hop cutover: the bot's URLs (superuser) and the app's (its own role). */
export function hopUrls(source: PgCluster, target: PgCluster, db = 'app'): Record<string, string> {
  return { SOURCE_URL: source.url(db), TARGET_URL: target.url(db), SOURCE_APP_URL: appUrl(source, db), TARGET_APP_URL: appUrl(target, db) };
}

/** The outside world of a cutover: Heroku's API for the app (its add-on's URL is the app's, `sourceAppUrl`), and a healthy Rollbar. */
export async function cutoverWorld(sourceAppUrl: string): Promise<{ heroku: HerokuStandIn; rollbar: RollbarStandIn; stop: () => Promise<void> }> {
  const heroku = await new HerokuStandIn('acme-api', HEROKU_TOKEN).start();
  heroku.attachDatabase(sourceAppUrl);
  const rollbar = await new RollbarStandIn().start();
  rollbar.steady(2);
  return { heroku, rollbar, stop: async () => Promise.all([heroku.stop(), rollbar.stop()]).then(() => undefined) };
}

/** A one-hop plan whose cutover drives the Heroku stand-in, with fast schedules and a short fence timeout. */
export interface CutoverPlanOptions {
  method: 'physical' | 'logical' | 'dms';
  dmsTask?: string;
  heroku: HerokuStandIn;
  rollbar: RollbarStandIn;
  fenceTimeoutSeconds?: number;
  subscription?: string;
  /** A second hop, hop-two (logical, target → a third database named by THIRD_URL), after hop-one. */
  secondHop?: boolean;
}

export function cutoverPlan(opts: CutoverPlanOptions): Plan {
  return parsePlan(cutoverPlanText(opts));
}

export function cutoverPlanText(opts: CutoverPlanOptions): string {
  return `
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL, app_url_env: SOURCE_APP_URL, label: Source }, target: { url_env: TARGET_URL, app_url_env: TARGET_APP_URL, label: Target }${opts.secondHop ? ', third: { url_env: THIRD_URL, app_url_env: THIRD_APP_URL, label: Third }' : ''} }
hops:
  - id: hop-one
    method: ${opts.method}
    source: source
    target: target
    ${opts.subscription ? `subscription: ${opts.subscription}` : ''}
    ${opts.dmsTask ? `dms: { task: ${opts.dmsTask}, region: us-east-1 }` : ''}
    app: { platform: heroku, name: acme-api, process_types: [web, worker], config_var: DATABASE_URL, api_url: ${opts.heroku.url} }
${opts.secondHop ? `  - { id: hop-two, method: logical, source: target, target: third, subscription: sub_two, app: { platform: heroku, name: acme-api, process_types: [web, worker], api_url: ${opts.heroku.url} } }` : ''}
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
schedule: { heartbeat: '* * * * * *', sample: '* * * * * *', update: '0 0 0 1 1 *', health: '0 0 0 1 1 *', dms: '0 0 0 1 1 *', leader_ttl_seconds: 2 }
alerts: { reminder_minutes: 0 }
health: { rollbar: { environment: production, base_url: ${opts.rollbar.url} }, cache_seconds: 0 }
cutover: { fence_timeout_seconds: ${opts.fenceTimeoutSeconds ?? 20} }
`;
}

/** Two teammates click Approve on a request; resolves when both were answered. */
export async function approveBy(h: BotHarness, requestId: string, approvers: [string, string] = ['U0APP1', 'U0APP2']): Promise<void> {
  for (const user of approvers) await h.slack.replyTo((await h.click(user, APPROVE_ACTION, requestId)).key);
}

/**
 * Waits until the hop's cutover run has finished (done) or stopped (failed) and its executor has let
 * go of it (until then an Abort is told to try again in a few seconds), and returns it. Given the
 * approval that started it, an approved action that failed before any run began (a gate turned bad
 * at approval, say) fails the wait at once, with the action's own words.
 */
export async function finishedRun(h: BotHarness, hop = 'hop-one', timeoutMs = 60_000, approvalId?: string): Promise<CutoverRun> {
  const { runner, approvalStore, redis, keys } = h.bots[0].cutover;
  const runs = runner['deps'].runs;
  const outcome = await eventually(async () => {
    const r = await runs.get(hop);
    if (r?.status === 'done' || r?.status === 'failed') return (await redis.exists(keys.cutoverLease(hop))) ? undefined : { run: r };
    const action = approvalId ? (await approvalStore.get(approvalId))?.run : undefined;
    return !r && action?.status === 'failed' ? { actionFailed: action.result ?? '(no reason recorded)' } : undefined;
  }, timeoutMs, `the cutover of ${hop} to finish`);
  if (!outcome.run) throw new Error(`the approved cutover of ${hop} ran nothing: ${outcome.actionFailed}`);
  return outcome.run;
}

export interface PhysicalRig {
  primary: PgCluster;
  standby: PgCluster;
  world: Awaited<ReturnType<typeof cutoverWorld>>;
  h: BotHarness;
  stop(): Promise<void>;
}

/**
 * A physical hop ready to cut over: a primary (database `app`, `orders` with `rows` rows, the app's
 * own role `acme_app` beside the bot's superuser) and its streaming standby, Heroku and Rollbar
 * stand-ins, the bot with its jobs running, the heartbeat set up and the standby caught up.
 */
export async function physicalRig(opts: { rows?: number; instances?: number; fenceTimeoutSeconds?: number; redisUrl?: string; rollbarWriteToken?: string; secondHop?: boolean } = {}): Promise<PhysicalRig> {
  const folder = new ClusterFolder();
  const primary = await PgCluster.primary(folder);
  await primary.sql('CREATE DATABASE app');
  await primary.sql(`CREATE TABLE orders (id bigserial PRIMARY KEY, note text); INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, ${opts.rows ?? 0})`, [], 'app');
  // On the primary only: the standby is a copy of it, roles and grants included.
  await createAppRole(primary);
  const standby = await PgCluster.streamingStandby(primary);
  const world = await cutoverWorld(appUrl(primary));
  const h = await BotHarness.start({
    instances: opts.instances,
    redisUrl: opts.redisUrl,
    plan: cutoverPlan({ method: 'physical', heroku: world.heroku, rollbar: world.rollbar, fenceTimeoutSeconds: opts.fenceTimeoutSeconds, secondHop: opts.secondHop }),
    databaseUrls: hopUrls(primary, standby),
    settings: { herokuApiToken: HEROKU_TOKEN, rollbarReadToken: 'rollbar-read-token', rollbarWriteToken: opts.rollbarWriteToken },
    jobs: true,
  });
  await h.command('U0OPS1', 'setup hop-one');
  await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 45_000, 'the standby to catch up');
  return {
    primary,
    standby,
    world,
    h,
    async stop() {
      await h.stop();
      await world.stop();
      await standby.stop('immediate');
      await primary.stop('immediate');
      folder.remove();
    },
  };
}
