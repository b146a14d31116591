import { quoteIdent } from '../../db/database';
import type { Hop, Plan } from '../../plan/plan';
import { grantWhere } from './monitoring-privileges';
import type { PreflightCheck } from './preflight-check';
import type { RoleSession } from './role-session';

const NEEDED = ['SELECT', 'INSERT', 'UPDATE'] as const;

/**
 * The heartbeat table on one end, and what the bot does with it: writes a beat on the source
 * (INSERT … ON CONFLICT DO UPDATE … RETURNING) and reads it on the target, where the cutover's
 * test write is a beat too.
 */
export async function checkHeartbeat(s: RoleSession, plan: Plan, hop: Hop, side: 'source' | 'target', now: () => number): Promise<PreflightCheck[]> {
  const { schema, table } = plan.heartbeat;
  const name = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const db = side === 'source' ? hop.source.id : hop.target.id;
  const { rows } = await s.query<{ owner: string; select: boolean; insert: boolean; update: boolean }>(
    `SELECT pg_get_userbyid(c.relowner) AS owner, has_table_privilege(c.oid, 'SELECT') AS select, has_table_privilege(c.oid, 'INSERT') AS insert, has_table_privilege(c.oid, 'UPDATE') AS update
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  const base = { id: `heartbeat.${side}`, label: `Heartbeat table ${schema}.${table} on ${side} ${db}`, source: `${side} ${db}`, observedAt: now(), as: `role ${s.role} on ${side} ${db}` };
  if (!rows.length) {
    const how =
      side === 'source' || hop.method === 'physical'
        ? `/migrate setup ${hop.id}` + (side === 'target' ? ` (it creates it on the source; the standby gets it through the WAL)` : '')
        : `/migrate setup ${hop.id} (it creates it on both ends), then include it in the ${hop.method === 'dms' ? 'DMS task table mappings' : 'publication'}`;
    return [{ ...base, status: 'fail', value: 'missing', detail: 'without it there is no end-to-end lag and no fence', fix: { kind: 'command', text: how } }];
  }
  const missing = NEEDED.filter((p) => !rows[0][p.toLowerCase() as 'select' | 'insert' | 'update']);
  if (!missing.length) return [{ ...base, status: 'ok', value: 'present; SELECT, INSERT, UPDATE' }];
  return [
    {
      ...base,
      status: 'fail',
      value: `present; no ${missing.join(', ')}`,
      detail: side === 'source' ? 'the bot writes a heartbeat there every few seconds' : 'the bot reads heartbeats there, and writes one after the cutover as its test write',
      fix: { kind: 'sql', where: grantWhere(hop, side).replace('as a superuser', `as ${rows[0].owner} (its owner) or a superuser`), text: `GRANT ${missing.join(', ')} ON ${name} TO ${quoteIdent(s.role)};` },
    },
  ];
}
