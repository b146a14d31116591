import { quoteIdent, type Queryable } from '../db/database';

export const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
export type TablePrivilege = (typeof TABLE_PRIVILEGES)[number];

/** What one role may do on the tables and sequences of one database's user schemas, as that role itself sees it. */
export interface RolePrivileges {
  role: string;
  /** Schemas (quoted) the role may use. */
  schemas: Set<string>;
  /** By quoted "schema"."table": the schema (quoted) and the privileges held among SELECT/INSERT/UPDATE/DELETE. */
  tables: Map<string, { schema: string; held: TablePrivilege[] }>;
  /** By quoted "schema"."sequence". An identity's sequence needs no privilege: its column draws values without one. */
  sequences: Map<string, { schema: string; usage: boolean; identity: boolean }>;
}

interface Row {
  role: string;
  schema: string;
  name: string;
  kind: string;
  schema_usage: boolean;
  sel: boolean | null;
  ins: boolean | null;
  upd: boolean | null;
  del: boolean | null;
  usage: boolean | null;
  identity: boolean;
}

// One catalog query, run as the role being checked: has_*_privilege of current_user counts its memberships too.
const PRIVILEGES_SQL = `
SELECT current_user AS role, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       has_schema_privilege(n.oid, 'USAGE') AS schema_usage,
       CASE WHEN c.relkind <> 'S' THEN has_table_privilege(c.oid, 'SELECT') END AS sel,
       CASE WHEN c.relkind <> 'S' THEN has_table_privilege(c.oid, 'INSERT') END AS ins,
       CASE WHEN c.relkind <> 'S' THEN has_table_privilege(c.oid, 'UPDATE') END AS upd,
       CASE WHEN c.relkind <> 'S' THEN has_table_privilege(c.oid, 'DELETE') END AS del,
       CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'USAGE') END AS usage,
       EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i') AS identity
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND NOT c.relispartition
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
   AND NOT (n.nspname = $1 AND c.relname = $2)
 ORDER BY n.nspname, c.relname`;

/** Reads, as the connected role, its privileges on every table, view, materialized view, foreign table and sequence in the user schemas (the heartbeat table left out: it is the bot's). */
export async function readRolePrivileges(db: Queryable, heartbeat: { schema: string; table: string }): Promise<RolePrivileges> {
  const { rows } = await db.query<Row>(PRIVILEGES_SQL, [heartbeat.schema, heartbeat.table]);
  const out: RolePrivileges = { role: rows[0]?.role ?? (await db.query<{ role: string }>('SELECT current_user AS role')).rows[0].role, schemas: new Set(), tables: new Map(), sequences: new Map() };
  for (const r of rows) {
    const schema = quoteIdent(r.schema);
    const name = `${schema}.${quoteIdent(r.name)}`;
    if (r.schema_usage) out.schemas.add(schema);
    if (r.kind === 'S') out.sequences.set(name, { schema, usage: Boolean(r.usage), identity: r.identity });
    else out.tables.set(name, { schema, held: TABLE_PRIVILEGES.filter((_, i) => [r.sel, r.ins, r.upd, r.del][i]) });
  }
  return out;
}

/** What the app's role lacks on the target, compared with what it used on the source. */
export interface PrivilegeGaps {
  /** The target's app role, as it logged in. */
  role: string;
  /** How many tables and sequences the source role used (what the target was checked for). */
  needed: { tables: number; sequences: number };
  schemas: string[];
  tables: { table: string; missing: TablePrivilege[] }[];
  sequences: string[];
  /** Tables and sequences the role used on the source that the target does not have at all. */
  absent: string[];
}

/**
 * The privileges the app's role had on the source and lacks on the target: per table, each of
 * SELECT/INSERT/UPDATE/DELETE it held there; USAGE on each sequence it held it on (an identity's needs
 * none); USAGE on the schemas of those. Only what the source role could use counts (its schema usable).
 */
export function privilegeGaps(source: RolePrivileges, target: RolePrivileges): PrivilegeGaps {
  const gaps: PrivilegeGaps = { role: target.role, needed: { tables: 0, sequences: 0 }, schemas: [], tables: [], sequences: [], absent: [] };
  const schemas = new Set<string>();
  for (const [name, t] of source.tables) {
    if (!source.schemas.has(t.schema) || !t.held.length) continue;
    gaps.needed.tables++;
    schemas.add(t.schema);
    const there = target.tables.get(name);
    if (!there) gaps.absent.push(name);
    else {
      const missing = t.held.filter((p) => !there.held.includes(p));
      if (missing.length) gaps.tables.push({ table: name, missing });
    }
  }
  for (const [name, s] of source.sequences) {
    if (!source.schemas.has(s.schema) || !s.usage || s.identity) continue;
    const there = target.sequences.get(name);
    if (there?.identity) continue;
    gaps.needed.sequences++;
    schemas.add(s.schema);
    if (!there) gaps.absent.push(name);
    else if (!there.usage) gaps.sequences.push(name);
  }
  gaps.schemas = [...schemas].filter((s) => !target.schemas.has(s));
  return gaps;
}

export const hasGaps = (g: PrivilegeGaps) => g.schemas.length + g.tables.length + g.sequences.length + g.absent.length > 0;

const PER_STATEMENT = 50;

/** The exact GRANTs that close the gaps: one per set of missing privileges, at most 50 objects each. */
export function grantStatements(g: PrivilegeGaps): string[] {
  const role = quoteIdent(g.role);
  const out: string[] = [];
  const grant = (what: string, kind: string, names: string[]) => {
    for (let i = 0; i < names.length; i += PER_STATEMENT) out.push(`GRANT ${what} ON ${kind} ${names.slice(i, i + PER_STATEMENT).join(', ')} TO ${role};`);
  };
  grant('USAGE', 'SCHEMA', g.schemas);
  const bySet = new Map<string, string[]>();
  for (const t of g.tables) {
    const key = TABLE_PRIVILEGES.filter((p) => t.missing.includes(p)).join(', ');
    bySet.set(key, [...(bySet.get(key) ?? []), t.table]);
  }
  for (const [privileges, tables] of bySet) grant(privileges, 'TABLE', tables);
  grant('USAGE', 'SEQUENCE', g.sequences);
  return out;
}
