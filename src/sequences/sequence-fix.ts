import { quoteIdent, quoteLiteral } from '../db/database';
import type { SequenceColumn, SequenceDef } from './sequence-catalog';
import { isBehind, type MissingDefault, type SequenceAudit } from './sequence-audit';
import { qualifiedSequence, seqKey } from './sequence-values';

/** One statement of a fix. `$1`, when present, is the source's next value of `sourceNextOf`, read when it runs. */
export interface FixStatement {
  sql: string;
  /** "schema.sequence" on the source whose next value is bound to $1. */
  sourceNextOf?: string;
  /** The source's next value seen when the fix was planned (decimal), shown to approvers. */
  seenAtPlan?: string;
}

export interface FixOptions {
  /** Inside the cutover (DMS stopped): identity columns ALWAYS on the source become ALWAYS here too. */
  atCutover?: boolean;
  /** Write the source's values into the SQL instead of `$1` (the cutover, which read them a moment ago). */
  inlineSource?: boolean;
}

const qualified = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
const seqLiteral = (s: { seqSchema: string; seqName: string }) => quoteLiteral(qualifiedSequence(s));
const up = (increment: bigint) => increment > 0n;

/**
 * The SQL that fixes an audit, in the order it must run. Every setval computes its value when it
 * runs: the greatest (least, for negative increments) of the columns' max + increment + gap, the
 * source's next value ($1, read when the statement runs) and the sequence's own next value, so a
 * sequence never moves backwards and an approval given minutes later is still right.
 */
export function sequenceFixSql(audit: SequenceAudit, gap: number, options: FixOptions = {}): FixStatement[] {
  const out: FixStatement[] = [];
  const source = (key: string, value: bigint | undefined) => sourceCandidate(key, value, options);
  for (const m of audit.missingDefaults) out.push(...recreateDefault(m, BigInt(gap), source));
  for (const f of audit.findings) {
    if (!isBehind(f)) continue;
    if (f.standalone) out.push(...syncStandalone(f.standalone.source, f.standalone.onTarget, source(f.sequence, f.sourceNext)));
    else out.push(setvalFor(f.columns, f.increment, BigInt(gap), source(f.sequence, f.sourceNext)));
  }
  if (options.atCutover) {
    for (const c of audit.identityToAlways) out.push({ sql: `ALTER TABLE ${qualified(c.tableSchema, c.tableName)} ALTER COLUMN ${quoteIdent(c.column)} SET GENERATED ALWAYS;` });
  }
  return dedupe(out);
}

interface SourceCandidate {
  expr: string;
  bind: Pick<FixStatement, 'sourceNextOf' | 'seenAtPlan'>;
}

function sourceCandidate(key: string, value: bigint | undefined, options: FixOptions): SourceCandidate | undefined {
  if (value === undefined) return undefined;
  if (options.inlineSource) return { expr: `${value}::bigint`, bind: {} };
  return { expr: '$1::bigint', bind: { sourceNextOf: key, seenAtPlan: String(value) } };
}

const ownNext = (s: SequenceDef) => `(SELECT CASE WHEN is_called THEN last_value + ${s.increment} ELSE last_value END FROM ${qualifiedSequence(s)})`;

function setvalFor(columns: SequenceColumn[], increment: bigint, gap: bigint, source: SourceCandidate | undefined): FixStatement {
  const c0 = columns[0];
  const pick = up(increment) ? 'GREATEST' : 'LEAST';
  const agg = up(increment) ? 'max' : 'min';
  const step = up(increment) ? increment + gap : increment - gap;
  const candidates = columns.map((c) => `(SELECT ${agg}(${quoteIdent(c.column)}) FROM ${qualified(c.tableSchema, c.tableName)}) + ${step}`);
  if (source) candidates.push(source.expr);
  // The sequence's own next value, so that it never moves backwards.
  candidates.push(ownNext(c0));
  return { sql: `SELECT setval(${seqLiteral(c0)}, ${pick}(${candidates.join(', ')}), false);`, ...source?.bind };
}

function syncStandalone(def: SequenceDef, onTarget: boolean, source: SourceCandidate | undefined): FixStatement[] {
  const out: FixStatement[] = [];
  if (!onTarget) {
    out.push({ sql: `CREATE SEQUENCE IF NOT EXISTS ${qualifiedSequence(def)} AS ${def.dataType} INCREMENT BY ${def.increment} MINVALUE ${def.min} MAXVALUE ${def.max} START WITH ${def.start}${def.cycle ? ' CYCLE' : ''};` });
  }
  if (!source) return out;
  const pick = up(def.increment) ? 'GREATEST' : 'LEAST';
  out.push({ sql: `SELECT setval(${seqLiteral(def)}, ${pick}(${source.expr}, ${ownNext(def)}), false);`, ...source.bind });
  return out;
}

function recreateDefault(m: MissingDefault, gap: bigint, source: (key: string, value: bigint | undefined) => SourceCandidate | undefined): FixStatement[] {
  const c = m.source;
  const table = qualified(c.tableSchema, c.tableName);
  const src = source(seqKey(c), m.sourceNext);
  const pick = up(c.increment) ? 'GREATEST' : 'LEAST';
  const step = up(c.increment) ? c.increment + gap : c.increment - gap;
  const fromRows = `(SELECT ${up(c.increment) ? 'max' : 'min'}(${quoteIdent(c.column)}) FROM ${table}) + ${step}`;
  if (c.kind === 'identity') {
    // BY DEFAULT even when the source has ALWAYS: replication still writes explicit ids. The cutover switches it.
    const start = `${pick}(${[fromRows, src?.expr, String(c.start)].filter(Boolean).join(', ')})`;
    return [
      { sql: `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(c.column)} ADD GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY ${c.increment} MINVALUE ${c.min} MAXVALUE ${c.max} START WITH ${c.start});` },
      { sql: `SELECT setval(pg_get_serial_sequence(${quoteLiteral(table)}, ${quoteLiteral(c.column)}), ${start}, false);`, ...src?.bind },
    ];
  }
  const seq = qualifiedSequence(c);
  const type = ['smallint', 'integer', 'bigint'].includes(c.dataType) ? ` AS ${c.dataType}` : '';
  const out: FixStatement[] = [];
  if (!m.targetHasSequence) out.push({ sql: `CREATE SEQUENCE IF NOT EXISTS ${seq}${type} INCREMENT BY ${c.increment} MINVALUE ${c.min} MAXVALUE ${c.max} START WITH ${c.start};` });
  if (c.kind === 'owned') out.push({ sql: `ALTER SEQUENCE ${seq} OWNED BY ${table}.${quoteIdent(c.column)};` });
  out.push({ sql: `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(c.column)} SET DEFAULT nextval(${seqLiteral(c)}::regclass);` });
  out.push(setvalFor([c], c.increment, gap, src));
  return out;
}

function dedupe(statements: FixStatement[]): FixStatement[] {
  const seen = new Set<string>();
  return statements.filter((s) => !seen.has(s.sql) && !!seen.add(s.sql));
}
