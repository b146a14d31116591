import { quoteIdent } from '../../db/database';
import type { Hop } from '../../plan/plan';
import type { PreflightCheck } from './preflight-check';
import type { RoleSession } from './role-session';

/** What the bot reads on one end of a hop: the views and functions in src/checks and the cutover's steps. */
export interface MonitoringNeeds {
  views: string[];
  functions: string[];
  /** Views whose columns read NULL for other roles' rows without pg_read_all_stats (pg_monitor has it). */
  fullVisibility: string[];
}

/**
 * Source: pg_stat_archiver in every sample; pg_stat_activity for the stray-writer fence; a
 * physical source also its WAL position and its standbys. Target of a physical hop: the standby's
 * recovery state and WAL receiver, then, once promoted, its archiving and standbys.
 */
export function monitoringNeeds(hop: Hop, side: 'source' | 'target'): MonitoringNeeds {
  const physical = hop.method === 'physical';
  if (side === 'source') {
    return {
      views: ['pg_stat_archiver', 'pg_stat_activity', ...(physical ? ['pg_stat_replication'] : [])],
      functions: physical ? ['pg_current_wal_lsn()'] : [],
      fullVisibility: ['pg_stat_activity', ...(physical ? ['pg_stat_replication'] : [])],
    };
  }
  if (!physical) return { views: [], functions: [], fullVisibility: [] };
  return {
    views: ['pg_stat_wal_receiver', 'pg_stat_archiver', 'pg_stat_replication'],
    functions: ['pg_is_in_recovery()', 'pg_last_wal_receive_lsn()', 'pg_last_wal_replay_lsn()', 'pg_is_wal_replay_paused()', 'pg_last_xact_replay_timestamp()'],
    fullVisibility: ['pg_stat_wal_receiver', 'pg_stat_replication'],
  };
}

/** Where a GRANT for a database runs: a standby is read-only, so its grants are made on its primary. */
export function grantWhere(hop: Hop, side: 'source' | 'target'): string {
  if (side === 'target' && hop.method === 'physical') return `on source ${hop.source.id}, in the database ${hop.source.urlEnv} names (the standby ${hop.target.id} is read-only; the grant reaches it through the WAL), as a superuser`;
  const db = side === 'source' ? hop.source : hop.target;
  return `on ${side} ${db.id}, in the database ${db.urlEnv} names, as a superuser`;
}

/** The monitoring views and functions of one end, read as the bot's role there. */
export async function checkMonitoring(s: RoleSession, hop: Hop, side: 'source' | 'target', now: () => number): Promise<PreflightCheck[]> {
  const needs = monitoringNeeds(hop, side);
  if (!needs.views.length && !needs.functions.length) return [];
  const db = side === 'source' ? hop.source.id : hop.target.id;
  const as = `role ${s.role} on ${side} ${db}`;
  const { rows } = await s.query<{ name: string; kind: 'view' | 'function'; allowed: boolean }>(
    `SELECT v AS name, 'view' AS kind, has_table_privilege('pg_catalog.' || v, 'SELECT') AS allowed FROM unnest($1::text[]) AS v
     UNION ALL
     SELECT f, 'function', has_function_privilege('pg_catalog.' || f, 'EXECUTE') FROM unnest($2::text[]) AS f`,
    [needs.views, needs.functions],
  );
  const [{ stats }] = (await s.query<{ stats: boolean }>(`SELECT pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS stats`)).rows;
  const base = { source: `${side} ${db}`, observedAt: now(), as };
  const out: PreflightCheck[] = [];
  const refused = rows.filter((r) => !r.allowed);
  const readable = `Monitoring views readable on ${db}`;
  out.push(
    refused.length
      ? {
          ...base,
          id: `monitoring.readable.${side}`,
          label: readable,
          status: 'fail',
          value: `may not read ${refused.map((r) => r.name).join(', ')}`,
          detail: 'the lag checks, the gates or the cutover read them',
          fix: {
            kind: 'sql',
            where: grantWhere(hop, side),
            text: refused.map((r) => (r.kind === 'view' ? `GRANT SELECT ON pg_catalog.${r.name} TO ${quoteIdent(s.role)};` : `GRANT EXECUTE ON FUNCTION pg_catalog.${r.name} TO ${quoteIdent(s.role)};`)).join('\n'),
          },
        }
      : { ...base, id: `monitoring.readable.${side}`, label: readable, status: 'ok', value: rows.map((r) => r.name).join(', ') },
  );
  if (needs.fullVisibility.length) {
    const label = `Full visibility of ${needs.fullVisibility.join(', ')} on ${db}`;
    out.push(
      stats
        ? { ...base, id: `monitoring.visibility.${side}`, label, status: 'ok', value: s.superuser ? 'superuser' : 'pg_read_all_stats (pg_monitor)' }
        : {
            ...base,
            id: `monitoring.visibility.${side}`,
            label,
            status: 'fail',
            value: 'no pg_read_all_stats (pg_monitor)',
            detail: `without it the columns of other roles' rows read NULL: standbys, the WAL receiver and the writers on the source would look unknown`,
            fix: { kind: 'sql', where: grantWhere(hop, side), text: `GRANT pg_monitor TO ${quoteIdent(s.role)};` },
          },
    );
  }
  return out;
}
