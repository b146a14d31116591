import { tlsSettingProblems } from '../db/tls-options';
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
  if (plan) problems.push(...databaseUrlProblems(plan, env), ...tlsSettingProblems(plan.databases, env));
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
