import { randomBytes } from 'node:crypto';
import type { CutoverRun } from '../../src/cutover/cutover-run';
import { parsePlan } from '../../src/plan/load-plan';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import type { BotHarness } from './bot-harness';
import { eventually } from './free-port';
import type { Plan } from '../../src/plan/plan';
import { RollbarStandIn } from './health-stand-ins';
import { HerokuStandIn } from './heroku-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from './test-plan';

export const HEROKU_TOKEN = 'heroku-api-token-0123456789';

/** The outside world of a cutover: Heroku's API for the app, and a healthy Rollbar. */
export async function cutoverWorld(sourceUrl: string): Promise<{ heroku: HerokuStandIn; rollbar: RollbarStandIn; stop: () => Promise<void> }> {
  const heroku = await new HerokuStandIn('acme-api', HEROKU_TOKEN).start();
  heroku.attachDatabase(sourceUrl);
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
}

export function cutoverPlan(opts: CutoverPlanOptions): Plan {
  return parsePlan(cutoverPlanText(opts));
}

export function cutoverPlanText(opts: CutoverPlanOptions): string {
  return `
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL, label: Source }, target: { url_env: TARGET_URL, label: Target } }
hops:
  - id: hop-one
    method: ${opts.method}
    source: source
    target: target
    ${opts.subscription ? `subscription: ${opts.subscription}` : ''}
    ${opts.dmsTask ? `dms: { task: ${opts.dmsTask}, region: us-east-1 }` : ''}
    app: { platform: heroku, name: acme-api, process_types: [web, worker], config_var: DATABASE_URL, api_url: ${opts.heroku.url} }
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

/** Waits until the hop's cutover run has finished (done) or stopped (failed) and returns it. */
export function finishedRun(h: BotHarness, hop = 'hop-one', timeoutMs = 60_000): Promise<CutoverRun> {
  const runs = h.bots[0].cutover.runner['deps'].runs;
  return eventually(async () => {
    const r = await runs.get(hop);
    return r?.status === 'done' || r?.status === 'failed' ? r : undefined;
  }, timeoutMs, `the cutover of ${hop} to finish`);
}
