import type { DatabaseTimeouts } from '../../db/database';
import type { Hop, Plan } from '../../plan/plan';
import type { RdsHealthPort } from '../../rds/rds-health';
import { checkAwsPermissions, type AwsPermissionProbes } from './aws-permissions';
import { checkHeartbeat } from './heartbeat-privileges';
import { checkMonitoring } from './monitoring-privileges';
import type { PreflightCheck, PreflightReport } from './preflight-check';
import { checkPromote } from './promote-privilege';
import { checkRdsAccess } from './rds-access';
import type { RoleSession } from './role-session';
import { checkSequencePrivileges, readSequenceScope, type SequenceScope } from './sequence-privileges';
import { checkSubscriptionOwner } from './subscription-owner';
import { checkUrl } from './url-checks';
import { checkTerminate } from './writer-privileges';

export interface PreflightDeps {
  plan: Plan;
  /** Database URLs by environment-variable name. */
  urls: Record<string, string | undefined>;
  timeouts: DatabaseTimeouts;
  /** The AWS probes for a DMS hop's region. */
  aws: (hop: Hop) => AwsPermissionProbes;
  /** The RDS reader of a region, for ends the plan places on RDS/Aurora. */
  rdsIn?: (region: string) => RdsHealthPort;
  now?: () => number;
}

/** Runs checks as one role; a query that fails is a check that could not tell, with its reason. */
async function asRole(label: string, side: string, role: string, now: () => number, work: () => Promise<PreflightCheck[]>): Promise<PreflightCheck[]> {
  try {
    return await work();
  } catch (e) {
    return [{ id: `preflight.error.${label}`, label: `${label} (${side})`, status: 'unknown', source: side, observedAt: now(), as: `role ${role}`, detail: `the check failed: ${(e as Error).message}` }];
  }
}

/**
 * Everything a hop's cutover will need, checked as each role the plan uses: the bot on both ends
 * (monitoring views, pg_promote, heartbeat, subscription, the sequence fix's objects), the app's
 * URLs, and for DMS hops each AWS action. Read-only everywhere; one connection per URL.
 */
export async function runPreflight(hop: Hop, deps: PreflightDeps): Promise<PreflightReport> {
  const now = deps.now ?? Date.now;
  const { plan, urls, timeouts } = deps;
  const [srcUrl, tgtUrl, srcApp, tgtApp, aws, rds] = await Promise.all([
    checkUrl(hop.source, 'source', 'bot', urls, timeouts, now),
    checkUrl(hop.target, 'target', 'bot', urls, timeouts, now),
    checkUrl(hop.source, 'source', 'app', urls, timeouts, now),
    checkUrl(hop.target, 'target', 'app', urls, timeouts, now),
    hop.method === 'dms' ? checkAwsPermissions(hop, deps.aws(hop), now) : Promise.resolve([]),
    deps.rdsIn ? checkRdsAccess(hop, deps.rdsIn, now) : Promise.resolve([]),
  ]);
  const checks: PreflightCheck[] = [srcUrl.check, tgtUrl.check, srcApp.check, tgtApp.check];
  const src = srcUrl.session;
  const tgt = tgtUrl.session;
  try {
    if (tgtApp.session && tgt && tgtApp.session.role === tgt.role) {
      Object.assign(tgtApp.check, { status: 'fail', value: `connects as ${tgt.role}, the bot's own role`, detail: "the cutover refuses to give the app the bot's role", fix: { kind: 'sql', where: `on target ${hop.target.id}`, text: `-- a role of the app's own, with only what its tables need, then put it in ${hop.target.appUrlEnv}` } });
    }
    const physical = hop.method === 'physical';
    // Read on the source's connection, used on the target's.
    const seen: { scope?: SequenceScope | Error } = {};
    const [onSource, onTarget] = await Promise.all([
      src
        ? asRole('Checks on the source', `source ${hop.source.id}`, src.role, now, async () => {
            // One connection: these run one after another.
            const out = [...(await checkMonitoring(src, hop, 'source', now)), ...(await checkHeartbeat(src, plan, hop, 'source', now)), ...(await checkTerminate(src, hop, now))];
            if (!physical) seen.scope = await readSequenceScope(src, plan.sequences.exclude).catch((e: Error) => e);
            return out;
          })
        : [],
      tgt
        ? asRole('Checks on the target', `target ${hop.target.id}`, tgt.role, now, async () => [
            ...(await checkMonitoring(tgt, hop, 'target', now)),
            ...(await checkPromote(tgt, hop, now)),
            ...(await checkHeartbeat(tgt, plan, hop, 'target', now)),
            ...(await checkSubscriptionOwner(tgt, hop, now)),
          ])
        : [],
    ]);
    checks.push(...onSource, ...onTarget);
    if (!physical && tgt) {
      const seqBase = { id: 'sequences.scope', label: `Sequences and tables the fix touches on ${hop.target.id}`, source: `source ${hop.source.id}`, observedAt: now(), as: src ? `role ${src.role} on source ${hop.source.id}` : hop.source.urlEnv };
      const scope = seen.scope;
      if (!scope) checks.push({ ...seqBase, status: 'unknown', detail: `not checked: the source's catalog names them, and the bot could not read it` });
      else if (scope instanceof Error) checks.push({ ...seqBase, status: 'unknown', detail: `could not read the source's catalog: ${scope.message}` });
      else {
        const known = scope;
        checks.push(...(await asRole('Sequence fix privileges', `target ${hop.target.id}`, tgt.role, now, () => checkSequencePrivileges(tgt, hop, known, now))));
      }
    }
  } finally {
    await Promise.all([src, tgt, srcApp.session, tgtApp.session].map((s: RoleSession | undefined) => s?.close()));
  }
  checks.push(...aws, ...rds);
  return { hop: hop.id, at: now(), checks };
}
