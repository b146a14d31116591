import type { DatabaseSet } from '../db/database-set';
import type { Hop } from '../plan/plan';
import { auditSequences, type SequenceAudit } from './sequence-audit';
import { readPlainColumns, readSequenceColumns, readSequenceNames } from './sequence-catalog';
import { sequenceFixSql } from './sequence-fix';
import { readSequenceValues } from './sequence-values';

export interface AuditOutcome {
  audit: SequenceAudit;
  /** Why the source could not be compared, when it could not. */
  sourceError?: string;
}

/** Sequence audits and fixes on a hop's target, compared with its source when the source answers. */
export class SequenceService {
  constructor(
    private readonly databases: DatabaseSet,
    private readonly safetyGap: number,
  ) {}

  async audit(hop: Hop, now = Date.now()): Promise<AuditOutcome> {
    const target = this.databases.get(hop.target.id);
    const targetColumns = await readSequenceColumns(target);
    const [targetValues, targetSequences] = await Promise.all([readSequenceValues(target, targetColumns), readSequenceNames(target)]);
    let source;
    let sourceError: string | undefined;
    try {
      const db = this.databases.get(hop.source.id);
      const columns = await readSequenceColumns(db);
      const [values, plainOnTarget] = await Promise.all([
        readSequenceValues(db, columns),
        readPlainColumns(target, columns.map((c) => ({ schema: c.tableSchema, table: c.tableName, column: c.column }))),
      ]);
      source = { columns, values, plainOnTarget };
    } catch (e) {
      sourceError = (e as Error).message;
    }
    return { audit: auditSequences({ columns: targetColumns, values: targetValues, sequences: targetSequences }, source, now), sourceError };
  }

  async plan(hop: Hop): Promise<AuditOutcome & { sql: string[] }> {
    const outcome = await this.audit(hop);
    return { ...outcome, sql: sequenceFixSql(outcome.audit, this.safetyGap) };
  }

  /** Runs the approved SQL in one transaction on the target, then audits again. */
  async apply(hop: Hop, sql: string[]): Promise<AuditOutcome> {
    await this.databases.get(hop.target.id).transaction(sql);
    return this.audit(hop);
  }
}
