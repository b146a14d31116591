import { quoteIdent } from '../../db/database';
import type { Queryable } from '../../db/database';
import type { Hop } from '../../plan/plan';
import type { PreflightCheck } from './preflight-check';
import type { RoleSession } from './role-session';

/** What the sequence fix may touch on the target, named from the source's catalog. */
export interface SequenceScope {
  /** Every sequence ("schema.name") the fix may setval: those feeding columns and standalone ones (minus the plan's exclusions). */
  sequences: { schema: string; name: string; ownedByColumn: boolean }[];
  /** Every table with a column fed by a sequence: a lost default or identity is recreated with ALTER TABLE. */
  tables: { schema: string; name: string }[];
}

const SYSTEM = `NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** The source's sequences and the tables they feed (owned, identity, or a nextval default), in two catalog queries. */
export async function readSequenceScope(source: Queryable, exclude: string[]): Promise<SequenceScope> {
  // One after the other: they share one connection.
  const { rows: seqs } = await source.query<{ schema: string; name: string; owned: boolean }>(
      `SELECT n.nspname AS schema, c.relname AS name,
              EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0) AS owned
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND n.nspname ${SYSTEM}
        ORDER BY 1, 2`,
  );
  const { rows: tables } = await source.query<{ schema: string; name: string }>(
      `SELECT DISTINCT n.nspname AS schema, t.relname AS name
         FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE t.relkind IN ('r', 'p') AND NOT t.relispartition AND n.nspname ${SYSTEM}
          AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attidentity <> '' AND NOT a.attisdropped)
               OR EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                           WHERE d.classid = 'pg_class'::regclass AND d.refobjid = t.oid AND d.deptype IN ('a', 'i'))
               OR EXISTS (SELECT 1 FROM pg_attrdef ad JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                            JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
                           WHERE ad.adrelid = t.oid))
        ORDER BY 1, 2`,
  );
  const excluded = new Set(exclude);
  return {
    sequences: seqs.filter((s) => s.owned || !excluded.has(`${s.schema}.${s.name}`)).map((s) => ({ schema: s.schema, name: s.name, ownedByColumn: s.owned })),
    tables: tables.map((t) => ({ schema: t.schema, name: t.name })),
  };
}

interface TargetSequence {
  schema: string;
  name: string;
  exists: boolean;
  schema_exists: boolean;
  can_create: boolean;
  can_update: boolean;
  can_select: boolean;
  owns: boolean;
  owner: string | null;
}

interface TargetTable {
  schema: string;
  name: string;
  exists: boolean;
  owns: boolean;
  owner: string | null;
}

const qualified = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
const listed = (names: string[], max = 5) => `${names.slice(0, max).join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`;

/**
 * On a logical or DMS hop's target, as the bot: setval needs UPDATE (and SELECT to read the
 * sequence's own value) on every sequence; recreating a default or identity needs to own the table
 * (ALTER TABLE), re-owning a serial's sequence needs to own it too; a sequence the target lacks
 * needs CREATE on its schema.
 */
export async function checkSequencePrivileges(s: RoleSession, hop: Hop, scope: SequenceScope, now: () => number): Promise<PreflightCheck[]> {
  const { rows: seqs } = await s.query<TargetSequence>(
    `SELECT w.schema, w.name, c.oid IS NOT NULL AS exists, n.oid IS NOT NULL AS schema_exists,
            coalesce(has_schema_privilege(n.oid, 'CREATE'), false) AS can_create,
            coalesce(has_sequence_privilege(c.oid, 'UPDATE'), false) AS can_update,
            coalesce(has_sequence_privilege(c.oid, 'SELECT'), false) AS can_select,
            coalesce(pg_has_role(current_user, c.relowner, 'USAGE'), false) AS owns,
            pg_get_userbyid(c.relowner) AS owner
       FROM unnest($1::text[], $2::text[]) AS w(schema, name)
       LEFT JOIN pg_namespace n ON n.nspname = w.schema
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name AND c.relkind = 'S'`,
    [scope.sequences.map((q) => q.schema), scope.sequences.map((q) => q.name)],
  );
  const { rows: tables } = await s.query<TargetTable>(
    `SELECT w.schema, w.name, c.oid IS NOT NULL AS exists,
            coalesce(pg_has_role(current_user, c.relowner, 'USAGE'), false) AS owns, pg_get_userbyid(c.relowner) AS owner
       FROM unnest($1::text[], $2::text[]) AS w(schema, name)
       LEFT JOIN pg_namespace n ON n.nspname = w.schema
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.name AND c.relkind IN ('r', 'p')`,
    [scope.tables.map((t) => t.schema), scope.tables.map((t) => t.name)],
  );
  const db = hop.target.id;
  const role = quoteIdent(s.role);
  const base = { source: `target ${db}`, observedAt: now(), as: `role ${s.role} on target ${db}` };
  const where = `on target ${db}, as a superuser (or each object's owner)`;
  const ownedBy = new Set(scope.sequences.filter((q) => q.ownedByColumn).map((q) => `${q.schema}.${q.name}`));
  const out: PreflightCheck[] = [];

  // Sequences: setval (UPDATE, SELECT), and for a serial's own sequence, ownership (ALTER SEQUENCE … OWNED BY).
  const present = seqs.filter((q) => q.exists);
  const noSetval = present.filter((q) => !q.can_update || !q.can_select);
  const notOwnedSeq = present.filter((q) => ownedBy.has(`${q.schema}.${q.name}`) && !q.owns);
  const cannotCreate = seqs.filter((q) => !q.exists && !q.can_create);
  const seqLabel = `Sequences the fix sets on ${db} (${seqs.length})`;
  if (!noSetval.length && !cannotCreate.length) out.push({ ...base, id: 'sequences.setval', label: seqLabel, status: 'ok', value: `UPDATE on all ${present.length}${seqs.length > present.length ? `; CREATE for the ${seqs.length - present.length} to create` : ''}` });
  else {
    const sql = [
      ...noSetval.map((q) => `GRANT SELECT, UPDATE ON SEQUENCE ${qualified(q.schema, q.name)} TO ${role};`),
      ...[...new Set(cannotCreate.filter((q) => q.schema_exists).map((q) => q.schema))].map((sch) => `GRANT CREATE ON SCHEMA ${quoteIdent(sch)} TO ${role};`),
    ];
    const noSchema = cannotCreate.filter((q) => !q.schema_exists).map((q) => q.schema);
    out.push({
      ...base,
      id: 'sequences.setval',
      label: seqLabel,
      status: 'fail',
      value: [noSetval.length ? `no UPDATE on ${listed(noSetval.map((q) => `${q.schema}.${q.name}`))}` : '', cannotCreate.length ? `may not create ${listed(cannotCreate.map((q) => `${q.schema}.${q.name}`))}` : ''].filter(Boolean).join('; '),
      detail: `setval needs UPDATE on the sequence${noSchema.length ? `; schema ${[...new Set(noSchema)].join(', ')} does not exist on the target` : ''}`,
      fix: { kind: 'sql', where, text: sql.join('\n') },
    });
  }

  // Tables (and serials' sequences): ALTER needs the owner's privileges.
  const missingTables = tables.filter((t) => !t.exists);
  const notOwned = [...tables.filter((t) => t.exists && !t.owns), ...notOwnedSeq];
  const tableLabel = `Tables the fix may alter on ${db} (${tables.length})`;
  if (!notOwned.length && !missingTables.length) out.push({ ...base, id: 'sequences.owner', label: tableLabel, status: 'ok', value: `owns all ${tables.length}${ownedBy.size ? ` and their ${ownedBy.size} serial sequences` : ''}` });
  else {
    const owners = [...new Set(notOwned.map((t) => t.owner ?? ''))].filter(Boolean);
    out.push({
      ...base,
      id: 'sequences.owner',
      label: tableLabel,
      status: 'fail',
      value: [
        notOwned.length ? `not the owner of ${listed(notOwned.map((t) => `${t.schema}.${t.name}`))}` : '',
        missingTables.length ? `${listed(missingTables.map((t) => `${t.schema}.${t.name}`))} missing on the target` : '',
      ].filter(Boolean).join('; '),
      detail: 'ALTER TABLE … SET DEFAULT / ADD GENERATED … AS IDENTITY and ALTER SEQUENCE … OWNED BY need the owner',
      fix: notOwned.length
        ? {
            kind: 'sql',
            where: `on target ${db}, as a superuser`,
            text: [
              `-- the bot acts with the owners' privileges (membership; no superuser):`,
              ...owners.map((o) => `GRANT ${quoteIdent(o)} TO ${role};`),
              `-- or table by table (a serial's sequence follows its table):`,
              ...notOwned.filter((t) => !('can_update' in t)).map((t) => `ALTER TABLE ${qualified(t.schema, t.name)} OWNER TO ${role};`),
            ].join('\n'),
          }
        : { kind: 'command', text: `load the missing tables onto ${db} (the ${hop.method === 'dms' ? 'DMS task' : 'subscription'} creates or copies them)` },
    });
  }
  return out;
}
