import { tlsSettingProblems } from '../db/tls-options';
import { webhookSettingProblems } from '../platform/webhook-app-control';
import { loadPlan, PlanError } from '../plan/load-plan';
import type { Plan } from '../plan/plan';
import { databaseUrlProblem } from './database-url';
import { readSettings, SettingsError, type Settings } from './settings';

/** Everything wrong with the settings and the plan, one problem per line, for one message. */
export class StartConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length === 1 ? 'a setting is' : `${problems.length} settings are`} missing or wrong:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Reads the settings and the plan and checks every database URL the plan names (url_env and
 * app_url_env), collecting every problem before giving up: a first start shows the whole list
 * at once, not one variable per attempt. No problem line repeats a variable's value.
 */
export function readStartConfig(env: NodeJS.ProcessEnv): { settings: Settings; plan: Plan } {
  const problems: string[] = [];
  let settings: Settings | undefined;
  try {
    settings = readSettings(env);
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    problems.push(...e.problems);
  }
  const planPath = settings?.planPath ?? env.MIGRATION_PLAN?.trim();
  let plan: Plan | undefined;
  if (planPath) {
    try {
      plan = loadPlan(planPath);
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      problems.push(`MIGRATION_PLAN: ${e.message.replace(/\n/g, '\n  ')}`);
    }
  }
  if (settings) problems.push(...redisTlsProblems(settings));
  if (plan) problems.push(...databaseUrlProblems(plan, env), ...tlsSettingProblems(plan.databases, env), ...webhookProblems(plan, env));
  if (problems.length || !settings || !plan) throw new StartConfigError(problems);
  return { settings, plan };
}

/** "HEROKU_DATABASE_URL (databases.heroku.url_env): is not set", once per variable. */
export function databaseUrlProblems(plan: Plan, env: NodeJS.ProcessEnv): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const db of plan.databases) {
    for (const [variable, field] of [
      [db.urlEnv, 'url_env'],
      [db.appUrlEnv, 'app_url_env'],
    ] as const) {
      if (!variable || seen.has(variable)) continue;
      seen.add(variable);
      const problem = databaseUrlProblem(env[variable]);
      if (problem) problems.push(`${variable} (databases.${db.id}.${field}): ${problem}`);
    }
  }
  return problems;
}

/** Redis TLS settings beside a URL without TLS would be ignored: a sign the URL is not the one meant. */
export function redisTlsProblems(settings: Pick<Settings, 'redisUrl' | 'redisCaFile'> & { redisTlsRejectUnauthorized?: boolean }): string[] {
  if (settings.redisUrl.startsWith('rediss://')) return [];
  const set = [settings.redisCaFile && 'REDIS_CA_FILE', settings.redisTlsRejectUnauthorized === false && 'REDIS_TLS_REJECT_UNAUTHORIZED'].filter(Boolean);
  return set.map((v) => `${v}: set, but REDIS_URL does not use TLS (rediss://), so it would be ignored: use a rediss:// URL or unset ${v}`);
}

/** The app webhook's URL and signing secret of each hop that stops its app by webhook, each variable once. */
export function webhookProblems(plan: Plan, env: NodeJS.ProcessEnv): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const hop of plan.hops) {
    if (hop.app?.platform !== 'webhook') continue;
    for (const p of webhookSettingProblems(hop.app, env)) {
      if (seen.has(p.variable)) continue;
      seen.add(p.variable);
      problems.push(`${p.variable} (hops.${hop.id}.app.${p.field}): ${p.problem}`);
    }
  }
  return problems;
}
