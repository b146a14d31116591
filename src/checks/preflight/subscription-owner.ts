import { quoteIdent } from '../../db/database';
import type { Hop } from '../../plan/plan';
import type { PreflightCheck } from './preflight-check';
import type { RoleSession } from './role-session';

/** A logical hop's target role may ALTER SUBSCRIPTION … DISABLE: it owns the subscription (or is a superuser). */
export async function checkSubscriptionOwner(s: RoleSession, hop: Hop, now: () => number): Promise<PreflightCheck[]> {
  if (hop.method !== 'logical' || !hop.subscription) return [];
  const { rows } = await s.query<{ owner: string; owns: boolean }>(
    `SELECT pg_get_userbyid(subowner) AS owner, pg_has_role(current_user, subowner, 'USAGE') AS owns FROM pg_subscription WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [hop.subscription],
  );
  const base = { id: 'subscription', label: `May disable subscription ${hop.subscription}`, source: `target ${hop.target.id}`, observedAt: now(), as: `role ${s.role} on target ${hop.target.id}` };
  if (!rows.length) {
    return [{ ...base, status: 'fail', value: 'no such subscription in this database', detail: `the plan names subscription ${hop.subscription}; the cutover disables it`, fix: { kind: 'plan', text: `hops[${hop.id}].subscription: the name of the subscription in the database ${hop.target.urlEnv} points at` } }];
  }
  if (rows[0].owns) return [{ ...base, status: 'ok', value: s.superuser ? 'superuser' : 'owns it' }];
  return [
    {
      ...base,
      status: 'fail',
      value: `owned by ${rows[0].owner}`,
      detail: 'ALTER SUBSCRIPTION needs its owner',
      fix: { kind: 'sql', where: `on target ${hop.target.id}, as a superuser`, text: `ALTER SUBSCRIPTION ${quoteIdent(hop.subscription)} OWNER TO ${quoteIdent(s.role)};\n-- or: GRANT ${quoteIdent(rows[0].owner)} TO ${quoteIdent(s.role)};` },
    },
  ];
}

