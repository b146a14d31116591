import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
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
