import { BOT_APPLICATION_NAME, quoteLiteral, type Queryable } from '../db/database';
import { isReadOnlyStatement } from './read-only-statement';

/** A session on the source that can still write (its role may write there, or it was seen writing), as the writers check saw it. */
export interface SourceWriter {
  pid: number;
  /** When the session connected (UTC, microseconds, as text): with the pid, what names this session and no later one. Absent when hidden. */
  backendStart?: string;
  role: string | null;
  application: string;
  /** The client's address, "local socket", or null when hidden. */
  client: string | null;
  database: string | null;
  /** How long it has been connected, in seconds (absent when hidden). */
  connectedSeconds?: number;
  /** Why it counts as a writer, in words ("idle 0.2 s after INSERT INTO …", "its role may write (INSERT on public.orders)"). */
  why: string;
  /** Why the bot's role may not end it with pg_terminate_backend, if it may not. */
  cannotTerminate?: string;
  /** A prepared transaction (two-phase commit): no session holds it, its writes commit whenever someone says COMMIT PREPARED. */
  preparedGid?: string;
}

/** One look at the source: every client session that is not the bot's own, and which of them may write. */
export interface WritersLook {
  /** Every session seen (writers or not), by key: a writer seen earlier is still one while its session lasts. */
  present: Set<string>;
  writers: SourceWriter[];
}

/** The key that names one session: its pid and its start (a reused pid is another session). */
export const writerKey = (w: Pick<SourceWriter, 'pid' | 'backendStart' | 'preparedGid'>) => (w.preparedGid !== undefined ? `prepared:${w.preparedGid}` : `${w.pid}@${w.backendStart ?? 'hidden'}`);

interface ActivityRow {
  pid: number;
  backend_start: string | null;
  role: string | null;
  application: string | null;
  client: string | null;
  database: string | null;
  state: string | null;
  xid: string | null;
  query: string | null;
  hidden: boolean;
  connected_s: number | null;
  xact_s: number | null;
  state_s: number | null;
  cannot_terminate: string | null;
  /** "superuser" (or may SET ROLE to one), else null. */
  superuser: string | null;
  /** What lets the role write a table of this database ("INSERT on public.orders"), null when it may only read. */
  table_write: string | null;
  /** In another database than the bot's: its table privileges cannot be read from here. */
  elsewhere: boolean;
  here: string;
}

// Client sessions only (no walsenders, autovacuum or other background workers); the bot's own are those of
// its role that carry its application_name, which every bot process sets on every connection. A session
// whose details the bot's role may not read (no pg_read_all_stats) has a NULL backend_type: it is kept, as unknown.
// What a role may write is read once per role per look (not per session): superuser, or any table of a user
// schema it owns or may INSERT/UPDATE/DELETE/TRUNCATE, itself or through a role it may SET ROLE to (MEMBER).
// Table privileges live in each database's catalog: a session in another database is read from here as unknown.
const ACTIVITY_SQL = `
WITH sessions AS (
  SELECT a.*
  FROM pg_stat_activity a
  WHERE a.pid <> pg_backend_pid()
    AND a.usesysid IS NOT NULL
    AND (a.backend_type = 'client backend' OR a.backend_type IS NULL)
    AND NOT (a.usename = current_user AND a.application_name LIKE $1)
    AND ($2 OR a.datname = current_database())
),
may_write AS (
  SELECT r.oid AS role_id, sup.why AS superuser,
         CASE WHEN sup.why IS NULL THEN (
                SELECT CASE WHEN c.relowner = m.id THEN 'owns ' ELSE p.priv || ' on ' END || format('%I.%I', n.nspname, c.relname)
                       || CASE WHEN m.id <> r.oid THEN format(' as %I', pg_get_userbyid(m.id)) ELSE '' END
                FROM unnest(ms.ids) m(id)
                CROSS JOIN pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                CROSS JOIN (VALUES (1, 'INSERT'), (2, 'UPDATE'), (3, 'DELETE'), (4, 'TRUNCATE')) p(o, priv)
                WHERE c.relkind IN ('r', 'p', 'v')
                  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
                  AND (c.relowner = m.id OR has_table_privilege(m.id, c.oid, p.priv))
                ORDER BY m.id <> r.oid, p.o, n.nspname, c.relname
                LIMIT 1) END AS table_write
  FROM pg_roles r
  CROSS JOIN LATERAL (SELECT array_agg(x.oid) AS ids FROM pg_roles x WHERE pg_has_role(r.oid, x.oid, 'MEMBER')) ms
  CROSS JOIN LATERAL (
    SELECT CASE WHEN r.rolsuper THEN 'superuser' ELSE (SELECT format('may SET ROLE to the superuser %I', x.rolname) FROM pg_roles x WHERE x.rolsuper AND x.oid = ANY (ms.ids) LIMIT 1) END AS why
  ) sup
  WHERE r.oid IN (SELECT usesysid FROM sessions)
)
SELECT a.pid,
       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS backend_start,
       a.usename AS role, a.application_name AS application,
       CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr) WHEN a.backend_type IS NOT NULL THEN 'local socket' END AS client,
       a.datname AS database, a.state, a.backend_xid::text AS xid, left(a.query, 300) AS query,
       a.backend_type IS NULL AS hidden,
       extract(epoch FROM now() - a.backend_start)::float8 AS connected_s,
       extract(epoch FROM now() - a.xact_start)::float8 AS xact_s,
       extract(epoch FROM now() - a.state_change)::float8 AS state_s,
       CASE WHEN me.rolsuper THEN NULL
            WHEN r.rolsuper THEN 'a superuser''s session: only a superuser may end it'
            WHEN pg_has_role(a.usesysid, 'USAGE') OR pg_has_role('pg_signal_backend', 'USAGE') THEN NULL
            ELSE format('the bot''s role lacks pg_signal_backend (fix: GRANT pg_signal_backend TO %I)', current_user) END AS cannot_terminate,
       w.superuser, w.table_write, a.datname IS DISTINCT FROM current_database() AS elsewhere, current_database() AS here
FROM sessions a
LEFT JOIN pg_roles r ON r.oid = a.usesysid
LEFT JOIN may_write w ON w.role_id = a.usesysid
CROSS JOIN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) me
ORDER BY a.backend_start NULLS LAST, a.pid`;

// Prepared transactions outlive their session: pg_stat_activity does not show them, and a later COMMIT PREPARED writes.
const PREPARED_SQL = `
SELECT p.gid, p.owner AS role, p.database, to_char(p.prepared AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS prepared,
       extract(epoch FROM now() - p.prepared)::float8 AS prepared_s, p.transaction::text AS xid
FROM pg_prepared_xacts p
WHERE $1 OR p.database = current_database()
ORDER BY p.prepared, p.gid`;

/**
 * Looks once at the sessions on the source: which (not the bot's) can still write. Fail closed: a
 * session counts whatever it does at this instant when its role may write in that database (a worker
 * between INSERTs may be sleeping in a SELECT), and also when it holds a transaction id or its details
 * are hidden from the bot's role; a session whose role may only read is not a writer. `wholeCluster`
 * for a physical hop (every database moves), else only this database.
 */
export async function lookAtSourceWriters(db: Queryable, opts: { wholeCluster: boolean }): Promise<WritersLook> {
  const { rows } = await db.query<ActivityRow>(ACTIVITY_SQL, [`${BOT_APPLICATION_NAME}%`, opts.wholeCluster]);
  const present = new Set<string>();
  const writers: SourceWriter[] = [];
  for (const row of rows) {
    const writer = asWriter(row);
    present.add(writerKey(writer));
    if (writer.why) writers.push(writer);
  }
  const prepared = await db.query<{ gid: string; role: string; database: string; prepared: string; prepared_s: number; xid: string }>(PREPARED_SQL, [opts.wholeCluster]);
  for (const p of prepared.rows) {
    const writer: SourceWriter = {
      pid: 0,
      role: p.role,
      application: `prepared transaction '${p.gid}'`,
      client: null,
      database: p.database,
      connectedSeconds: p.prepared_s,
      why: `a prepared transaction (xid ${p.xid}, prepared at ${p.prepared}) holds writes that commit whenever someone runs COMMIT PREPARED`,
      cannotTerminate: `a prepared transaction has no session to end: run COMMIT PREPARED ${quoteLiteral(p.gid)} (its writes before the fence) or ROLLBACK PREPARED ${quoteLiteral(p.gid)} in ${p.database}`,
      preparedGid: p.gid,
    };
    present.add(writerKey(writer));
    writers.push(writer);
  }
  return { present, writers };
}

function asWriter(row: ActivityRow): SourceWriter {
  return {
    pid: row.pid,
    backendStart: row.backend_start ?? undefined,
    role: row.role,
    application: row.application ?? '',
    client: row.client,
    database: row.database,
    connectedSeconds: row.connected_s ?? undefined,
    why: whyWriter(row),
    cannotTerminate: row.backend_start ? (row.cannot_terminate ?? undefined) : 'its details are hidden from the bot\'s role, so it cannot be told apart from a later session with the same pid (fix: GRANT pg_read_all_stats)',
  };
}

/** Why the session can write, or '' when it may only read: what it was seen doing first, else what its role may do. */
function whyWriter(row: ActivityRow): string {
  const snippet = oneLine(row.query ?? '');
  if (row.hidden) return `${row.xid ? `in a transaction that wrote (xid ${row.xid}); ` : ''}what it does is hidden from the bot's role (it lacks pg_read_all_stats), so it counts as a writer`;
  // A transaction id is a write seen, whatever the role (a SECURITY DEFINER function, say).
  if (row.xid) return `in a transaction that wrote (xid ${row.xid}) for ${seconds(row.xact_s)}${snippet ? `; last: ${snippet}` : ''}`;
  const mayWrite = roleMayWrite(row);
  if (!mayWrite) return '';
  const role = `its role may write (${mayWrite})`;
  if (isReadOnlyStatement(row.query ?? '')) return `${role}${snippet ? `; ${row.state ?? 'in an unknown state'} for ${seconds(row.state_s)}: ${snippet}` : ''}`;
  if (row.state === 'active') return `running for ${seconds(row.state_s)}: ${snippet}`;
  return `${row.state ?? 'in an unknown state'} for ${seconds(row.state_s)} after a statement that writes: ${snippet}`;
}

/** What lets the session's role write where it is connected, in words; '' when it may only read. */
function roleMayWrite(row: ActivityRow): string {
  if (row.superuser) return row.superuser;
  // Table privileges are in each database's own catalog: unknown from here, so fail closed.
  if (row.elsewhere) return `connected to ${row.database ?? 'no database'}, whose table privileges the bot cannot read from ${row.here}`;
  return row.table_write ?? '';
}

/** One line for people: who, from where, how long, why. */
export function writerLine(w: SourceWriter): string {
  const parts = w.preparedGid !== undefined ? [w.application, `role ${w.role ?? '?'}`] : [`pid ${w.pid}`, `role ${w.role ?? '?'}`, `app "${w.application}"`, `from ${w.client ?? '(hidden)'}`];
  if (w.database) parts.push(`db ${w.database}`);
  if (w.connectedSeconds !== undefined) parts.push(`${w.preparedGid !== undefined ? 'prepared' : 'connected'} ${seconds(w.connectedSeconds)} ago`);
  return `${parts.join(' · ')}: ${w.why}`;
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return '?';
  if (s < 10) return `${Math.max(0, s).toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
