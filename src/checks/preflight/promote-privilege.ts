import { quoteIdent } from '../../db/database';
import type { Hop } from '../../plan/plan';
import { grantWhere } from './monitoring-privileges';
import type { PreflightCheck } from './preflight-check';
import type { RoleSession } from './role-session';

/** A physical hop's target role may call pg_promote(boolean, integer): a superuser, or a grant. */
export async function checkPromote(s: RoleSession, hop: Hop, now: () => number): Promise<PreflightCheck[]> {
  if (hop.method !== 'physical') return [];
  const [{ allowed }] = (await s.query<{ allowed: boolean }>(`SELECT has_function_privilege('pg_catalog.pg_promote(boolean, integer)', 'EXECUTE') AS allowed`)).rows;
  const base = { id: 'promote', label: `May promote ${hop.target.id} (pg_promote)`, source: `target ${hop.target.id}`, observedAt: now(), as: `role ${s.role} on target ${hop.target.id}` };
  if (allowed) return [{ ...base, status: 'ok', value: s.superuser ? 'superuser' : 'EXECUTE on pg_promote granted' }];
  return [
    {
      ...base,
      status: 'fail',
      value: 'may not call pg_promote',
      detail: 'the cutover promotes the standby with pg_promote(true, 60) while the app is down',
      fix: { kind: 'sql', where: grantWhere(hop, 'target'), text: `GRANT EXECUTE ON FUNCTION pg_catalog.pg_promote(boolean, integer) TO ${quoteIdent(s.role)};` },
    },
  ];
}
