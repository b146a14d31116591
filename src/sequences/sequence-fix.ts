import { quoteIdent, quoteLiteral } from '../db/database';
import type { SequenceColumn } from './sequence-catalog';
import { isBehind, type SequenceAudit, type SequenceFinding } from './sequence-audit';
import { seqKey } from './sequence-values';

const qualified = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
const seqLiteral = (c: { seqSchema: string; seqName: string }) => quoteLiteral(qualified(c.seqSchema, c.seqName));

/**
 * The SQL that fixes an audit, in the order it must run. Every setval computes its value when it
 * runs, from the columns' max (min), the source's value and the sequence's own next value, taking
 * the greatest (least, for negative increments): a sequence never moves backwards, and an
 * approval given a few minutes earlier is still right.
 */
export function sequenceFixSql(audit: SequenceAudit, gap: number): string[] {
  const out: string[] = [];
  for (const m of audit.missingDefaults) out.push(...recreateDefault(m.source, m.targetHasSequence, audit, gap));
  for (const f of audit.findings) {
    if (isBehind(f)) out.push(setvalFor(f.columns, f.increment, gap, f.sourceNext));
  }
  return dedupe(out);
}

function setvalFor(columns: SequenceColumn[], increment: number, gap: number, sourceNext: number | undefined, sequenceExpr?: string): string {
  const c0 = columns[0];
  const up = increment > 0;
  const pick = up ? 'GREATEST' : 'LEAST';
  const agg = up ? 'max' : 'min';
  const step = up ? increment + gap : increment - gap;
  const candidates = columns.map((c) => `(SELECT ${agg}(${quoteIdent(c.column)}) FROM ${qualified(c.tableSchema, c.tableName)}) + ${step}`);
  if (sourceNext !== undefined) candidates.push(String(sourceNext));
  const seq = sequenceExpr ?? seqLiteral(c0);
  // The sequence's own next value, so that it never moves backwards.
  candidates.push(`(SELECT CASE WHEN is_called THEN last_value + ${increment} ELSE last_value END FROM ${qualified(c0.seqSchema, c0.seqName)})`);
  return `SELECT setval(${seq}, ${pick}(${candidates.join(', ')}), false);`;
}

function recreateDefault(c: SequenceColumn, targetHasSequence: boolean, audit: SequenceAudit, gap: number): string[] {
  const table = qualified(c.tableSchema, c.tableName);
  const sourceNext = audit.findings.find((f) => f.sequence === seqKey(c))?.sourceNext;
  if (c.kind === 'identity') {
    const up = c.increment > 0;
    const start = `${up ? 'GREATEST' : 'LEAST'}((SELECT ${up ? 'max' : 'min'}(${quoteIdent(c.column)}) FROM ${table}) + ${up ? c.increment + gap : c.increment - gap}${sourceNext !== undefined ? `, ${sourceNext}` : ''}, ${c.start})`;
    return [
      `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(c.column)} ADD GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY (INCREMENT BY ${c.increment});`,
      `SELECT setval(pg_get_serial_sequence(${quoteLiteral(table)}, ${quoteLiteral(c.column)}), ${start}, false);`,
    ];
  }
  const seq = qualified(c.seqSchema, c.seqName);
  const type = ['smallint', 'integer', 'bigint'].includes(c.columnType) ? ` AS ${c.columnType}` : '';
  const out: string[] = [];
  if (!targetHasSequence) out.push(`CREATE SEQUENCE IF NOT EXISTS ${seq}${type} INCREMENT BY ${c.increment} START WITH ${c.start};`);
  if (c.kind === 'owned') out.push(`ALTER SEQUENCE ${seq} OWNED BY ${table}.${quoteIdent(c.column)};`);
  out.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(c.column)} SET DEFAULT nextval(${seqLiteral(c)}::regclass);`);
  out.push(setvalFor([c], c.increment, gap, sourceNext));
  return out;
}

function dedupe(statements: string[]): string[] {
  return [...new Set(statements)];
}

export type { SequenceFinding };
