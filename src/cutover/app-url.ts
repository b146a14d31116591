import type { Database, Hop } from '../plan/plan';

/** The URLs a hop's cutover gives the app, as the step deps carry them (from each database's app_url_env). */
export interface AppUrls {
  sourceUrl: string;
  targetUrl: string;
  sourceAppUrl: string;
  targetAppUrl: string;
}

/** The login role a database URL names (a `user` parameter wins over the user name, as in the pg driver and libpq), or undefined when the URL does not parse. */
function roleOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.searchParams.get('user') || decodeURIComponent(u.username) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why the app cannot be given the URL of `db` (its app_url_env missing from the plan or unset,
 * or, on the target, the bot's own role), or undefined. Names variables, never their values.
 */
export function appUrlRefusal(db: Database, side: 'source' | 'target', appUrl: string | undefined, botUrl: string | undefined): string | undefined {
  if (!db.appUrlEnv) return `databases.${db.id} has no app_url_env in the plan: the bot would not know which URL to give the app on the ${side} (its own URL, ${db.urlEnv}, is never given to the app)`;
  if (!appUrl) return `${db.appUrlEnv} (the app's URL for ${db.id}) is not set`;
  // Only where the app goes next: on the source it gets back what it had before the cutover.
  if (side === 'target' && botUrl && (appUrl === botUrl || (roleOf(appUrl) !== undefined && roleOf(appUrl) === roleOf(botUrl)))) {
    return `${db.appUrlEnv} logs in as the bot's own role (the one in ${db.urlEnv}): give the app its own role on ${db.id}, with only the privileges its tables need`;
  }
  return undefined;
}

/** Why a hop's app URLs cannot be used for a cutover (target first, then the source a roll back needs), or undefined. */
export function appUrlsReadiness(hop: Hop, urls: Record<string, string | undefined>): string | undefined {
  const at = (db: Database, side: 'source' | 'target') => appUrlRefusal(db, side, db.appUrlEnv ? urls[db.appUrlEnv] : undefined, urls[db.urlEnv]);
  return at(hop.target, 'target') ?? at(hop.source, 'source');
}

/** The app's URL on one side of the hop, checked when it is used: throws the refusal rather than give the app anything else. */
export function appUrlFor(hop: Hop, side: 'source' | 'target', d: AppUrls): string {
  const db = side === 'target' ? hop.target : hop.source;
  const appUrl = side === 'target' ? d.targetAppUrl : d.sourceAppUrl;
  const refusal = appUrlRefusal(db, side, appUrl, side === 'target' ? d.targetUrl : d.sourceUrl);
  if (refusal) throw new Error(`${refusal}; nothing was changed on the app`);
  return appUrl;
}
