import type { Database } from '../db/database';
import type { DatabaseSet } from '../db/database-set';
import type { Hop } from '../plan/plan';
import { auditSequences, type AuditSide, type SequenceAudit } from './sequence-audit';
import { readPlainColumns, readSequenceColumns, readSequenceDefs, type SequenceDef } from './sequence-catalog';
import { sequenceFixSql, type FixStatement } from './sequence-fix';
import { runSync, syncQueries } from './sequence-sync';
import { readSequenceValues, seqKey } from './sequence-values';

export interface AuditOutcome {
  audit: SequenceAudit;
  /** Why the source could not be compared, when it could not. */
  sourceError?: string;
}

export type SourceSide = AuditSide & { plainOnTarget: Set<string>; standalone: SequenceDef[] };

/** The source's next values a fix ran with, by "schema.sequence" (decimal strings), and when they were read. */
export interface SourceValuesUsed {
  values: Record<string, string>;
  readAt: number;
}

// The cutover's sync sends this many statements per round trip, each batch its own transaction:
// one transaction over thousands of tables would exhaust the lock table.
const STATEMENTS_PER_BATCH = 200;

/** Sequence audits and fixes on a hop's target, compared with its source when the source answers. */
export class SequenceService {
  constructor(
    private readonly databases: DatabaseSet,
    private readonly safetyGap: number,
    /** Standalone sequences ("schema.name") the plan leaves alone. */
    private readonly exclude: string[] = [],
  ) {}

  /** Both ends read at once; a source that fails to answer leaves the comparison out and says why. */
  async audit(hop: Hop, now = Date.now()): Promise<AuditOutcome> {
    const [target, source] = await Promise.all([this.readTarget(hop), this.readSource(hop).then((s) => ({ s }), (e: Error) => ({ e }))]);
    if ('e' in source) return { audit: auditSequences(target, undefined, now), sourceError: source.e.message };
    return { audit: auditSequences(target, source.s, now) };
  }

  async plan(hop: Hop): Promise<AuditOutcome & { sql: FixStatement[] }> {
    const outcome = await this.audit(hop);
    return { ...outcome, sql: sequenceFixSql(outcome.audit, this.safetyGap) };
  }

  /**
   * Runs approved statements in one transaction on the target, binding each `$1` to the source's
   * next value read now (not when the fix was asked for), then audits again. Refuses, running
   * nothing, when a value it needs cannot be read on the source.
   */
  async apply(hop: Hop, statements: FixStatement[]): Promise<AuditOutcome & { used: SourceValuesUsed }> {
    const wanted = [...new Set(statements.flatMap((s) => (s.sourceNextOf ? [s.sourceNextOf] : [])))];
    const used = await this.readSourceNext(hop, wanted);
    const target = this.databases.get(hop.target.id);
    await target.transaction(statements.map((s) => (s.sourceNextOf ? { text: s.sql, values: [used.values[s.sourceNextOf]] } : s.sql)));
    return { ...(await this.audit(hop)), used };
  }

  /**
   * The cutover's sync, with writes stopped: reads both ends' catalogs and the source's values (a
   * source that does not answer fails it), recreates lost defaults and missing standalone
   * sequences, sets every sequence past its columns and the source in batches (only those behind
   * are written), switches identities to ALWAYS where the source has them, and audits the result.
   */
  async syncForCutover(hop: Hop, now = Date.now()): Promise<{ statements: number; sequences: number; identities: number; after: SequenceAudit }> {
    const targetDb = this.databases.get(hop.target.id);
    const [catalog, source] = await Promise.all([
      this.readTargetCatalog(targetDb),
      this.readSource(hop).catch((e: Error) => {
        throw new Error(`the source's sequences could not be read (${e.message}): without them no sequence, standalone sequence or lost default can be synced`, { cause: e });
      }),
    ]);
    const seen = auditSequences({ ...catalog, values: { next: new Map(), extreme: new Map() } }, source, now);
    // New objects first: lost defaults and standalone sequences the target lacks.
    const ddl = sequenceFixSql({ ...seen, findings: seen.findings.filter((f) => f.problems.includes('missing')), identityToAlways: [] }, this.safetyGap, { inlineSource: true }).map((s) => s.sql);
    await runInBatches(targetDb, ddl, STATEMENTS_PER_BATCH);
    const target = ddl.length ? await this.readTargetCatalog(targetDb) : catalog;
    const { values, moved } = await runSync(targetDb, syncQueries(target, { next: source.values.next, standalone: source.standalone }, this.safetyGap));
    const always = sequenceFixSql({ ...seen, findings: [], missingDefaults: [] }, this.safetyGap, { atCutover: true }).map((s) => s.sql);
    await runInBatches(targetDb, always, STATEMENTS_PER_BATCH);
    const plainOnTarget = ddl.length ? await this.plainOnTarget(targetDb, source) : source.plainOnTarget;
    // An ALTER … SET GENERATED ALWAYS that did not take would have thrown.
    const after = { ...auditSequences({ ...target, values }, { ...source, plainOnTarget }, Date.now()), identityToAlways: [] };
    return { statements: ddl.length + moved + always.length, sequences: values.next.size, identities: always.length, after };
  }

  private async readTargetCatalog(db: Database): Promise<Pick<AuditSide, 'columns' | 'sequences'>> {
    const [columns, sequences] = await Promise.all([readSequenceColumns(db), readSequenceDefs(db)]);
    return { columns, sequences };
  }

  private async readTarget(hop: Hop): Promise<AuditSide> {
    const db = this.databases.get(hop.target.id);
    const catalog = await this.readTargetCatalog(db);
    return { ...catalog, values: await readSequenceValues(db, catalog.columns, this.targetStandalone(catalog)) };
  }

  private targetStandalone(target: Pick<AuditSide, 'columns' | 'sequences'>): SequenceDef[] {
    const fed = new Set(target.columns.map(seqKey));
    return [...target.sequences.values()].filter((s) => !fed.has(seqKey(s)));
  }

  private async readSource(hop: Hop): Promise<SourceSide> {
    const db = this.databases.get(hop.source.id);
    const target = this.databases.get(hop.target.id);
    const [columns, defs] = await Promise.all([readSequenceColumns(db), readSequenceDefs(db)]);
    // Standalone: every sequence that feeds no column (the app calls nextval itself), less the plan's exclusions.
    const fed = new Set(columns.map(seqKey));
    const excluded = new Set(this.exclude);
    const standalone = [...defs.values()].filter((s) => !fed.has(seqKey(s)) && !excluded.has(seqKey(s)) && !isSystemSchema(s.seqSchema));
    // The source's own sequence values are all the audit compares; its columns' max is not needed.
    const [values, plainOnTarget] = await Promise.all([readSequenceValues(db, columns, standalone, { extremes: false }), this.plainOnTarget(target, { columns })]);
    return { columns, standalone, values, plainOnTarget, sequences: new Map() };
  }

  private plainOnTarget(target: Database, source: Pick<SourceSide, 'columns'>): Promise<Set<string>> {
    return readPlainColumns(target, source.columns.map((c) => ({ schema: c.tableSchema, table: c.tableName, column: c.column })));
  }

  /** The source's next value of each named sequence, read now; throws when one cannot be read. */
  private async readSourceNext(hop: Hop, names: string[]): Promise<SourceValuesUsed> {
    const readAt = Date.now();
    if (!names.length) return { values: {}, readAt };
    const db = this.databases.get(hop.source.id);
    let defs: Map<string, SequenceDef>;
    try {
      defs = await readSequenceDefs(db);
    } catch (e) {
      throw new Error(`the source's sequences could not be read (${(e as Error).message}); nothing was run`, { cause: e });
    }
    const wanted = names.map((n) => defs.get(n));
    const missing = names.filter((_, i) => !wanted[i]?.canReadSequence);
    if (missing.length) throw new Error(`the source's ${missing.slice(0, 3).join(', ')} cannot be read (gone, or no privilege); nothing was run`);
    const { next } = await readSequenceValues(db, [], wanted as SequenceDef[]);
    return { values: Object.fromEntries(names.map((n) => [n, String(next.get(n))])), readAt };
  }
}

const isSystemSchema = (schema: string) => schema === 'information_schema' || schema.startsWith('pg_');

/** Sends statements a batch per round trip, each batch one implicit transaction. */
async function runInBatches(db: Database, sql: string[], size: number): Promise<void> {
  for (let from = 0; from < sql.length; from += size) await db.query(sql.slice(from, from + size).join('\n'));
}
