import { quoteIdent } from '../../db/database';
import type { Hop } from '../../plan/plan';
import type { PreflightCheck } from './preflight-check';
import type { RoleSession } from './role-session';

/**
 * Whether the stray-writer fence's Terminate can end other roles' sessions on the source
 * (pg_signal_backend). Optional: without it the fence still lists them and waits, so a warning.
 */
export async function checkTerminate(s: RoleSession, hop: Hop, now: () => number): Promise<PreflightCheck[]> {
  const [{ allowed }] = (await s.query<{ allowed: boolean }>(`SELECT pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS allowed`)).rows;
  const base = { id: 'terminate', label: `May end stray writers on ${hop.source.id}`, source: `source ${hop.source.id}`, observedAt: now(), as: `role ${s.role} on source ${hop.source.id}` };
  if (allowed) return [{ ...base, status: 'ok', value: s.superuser ? 'superuser' : 'pg_signal_backend' }];
  return [
    {
      ...base,
      status: 'warn',
      value: 'no pg_signal_backend',
      detail: "the writers fence's Terminate button could end only this role's own sessions (Continue anyway and Abort still work)",
      fix: { kind: 'sql', where: `on source ${hop.source.id}, as a superuser`, text: `GRANT pg_signal_backend TO ${quoteIdent(s.role)};` },
    },
  ];
}
