import { quoteIdent, type Queryable } from '../db/database';
import type { TableInfo } from './table-inventory';

export interface SideFacts {
  rows: number;
  exact: boolean;
  maxPk?: string | null;
}

export interface TableComparison {
  table: string;
  source?: SideFacts;
  target?: SideFacts;
  /** Sampled checksum ranges that differ, as "lo..hi". */
  checksumMismatches: string[];
  checksumRanges: number;
  problems: string[];
}

const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

async function facts(db: Queryable, t: TableInfo, estimate: number, exactLimit: number): Promise<SideFacts> {
  const name = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
  const exact = estimate <= exactLimit;
  const count = exact ? Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`)).rows[0].n) : estimate;
  const maxPk = t.pk.length === 1 ? (await db.query<{ m: string | null }>(`SELECT max(${quoteIdent(t.pk[0])})::text AS m FROM ${name}`)).rows[0].m : undefined;
  return { rows: count, exact, maxPk };
}

async function rangeChecksum(db: Queryable, t: TableInfo, lo: number, hi: number): Promise<string | null> {
  const pk = quoteIdent(t.pk[0]);
  const { rows } = await db.query<{ h: string | null }>(
    `SELECT md5(string_agg(x::text, '|' ORDER BY x.${pk})) AS h FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)} x WHERE x.${pk} BETWEEN $1 AND $2`,
    [lo, hi],
  );
  return rows[0].h;
}

/**
 * Source against target for one table: rows (exact when the table is small enough, an estimate
 * marked as such otherwise), max primary key, and optionally checksums of sampled pk ranges.
 */
export async function compareTable(
  source: Queryable,
  target: Queryable,
  s: TableInfo,
  t: TableInfo | undefined,
  opts: { exactRowLimit: number; checksumRanges: number; rangeSize: number },
): Promise<TableComparison> {
  const table = `${s.schema}.${s.name}`;
  const out: TableComparison = { table, checksumMismatches: [], checksumRanges: 0, problems: [] };
  if (!t) return { ...out, problems: ['missing on the target'] };
  if (!s.readable || !t.readable) return { ...out, problems: [`not readable by the bot on the ${!s.readable ? 'source' : 'target'}`] };
  const estimate = Math.max(s.estimate, t.estimate);
  [out.source, out.target] = await Promise.all([facts(source, s, estimate, opts.exactRowLimit), facts(target, t, estimate, opts.exactRowLimit)]);
  if (out.source.exact && out.source.rows !== out.target.rows) out.problems.push(`rows: ${out.source.rows} on the source, ${out.target.rows} on the target`);
  if (out.source.maxPk !== out.target.maxPk) out.problems.push(`max ${s.pk[0]}: ${out.source.maxPk ?? 'none'} on the source, ${out.target.maxPk ?? 'none'} on the target`);
  if (opts.checksumRanges > 0 && s.pk.length === 1 && s.pkType && INTEGER_TYPES.has(s.pkType) && out.source.maxPk) {
    for (const [lo, hi] of sampleRanges(Number(out.source.maxPk), opts.checksumRanges, opts.rangeSize)) {
      const [a, b] = await Promise.all([rangeChecksum(source, s, lo, hi), rangeChecksum(target, t, lo, hi)]);
      out.checksumRanges++;
      if (a !== b) out.checksumMismatches.push(`${lo}..${hi}`);
    }
    if (out.checksumMismatches.length) out.problems.push(`checksums differ in ${s.pk[0]} ranges ${out.checksumMismatches.join(', ')}`);
  }
  return out;
}

/** `count` ranges of keys spread evenly from 1 to `max` (the first and the newest rows included), never overlapping. */
export function sampleRanges(max: number, count: number, rangeSize: number): [number, number][] {
  if (max < 1) return [];
  const size = Math.max(1, Math.min(rangeSize, Math.ceil(max / count)));
  const out: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const lo = count === 1 ? 1 : Math.floor(1 + (i * (max - size)) / (count - 1));
    const range: [number, number] = [lo, Math.min(max, lo + size - 1)];
    if (!out.some(([a]) => a === range[0])) out.push(range);
  }
  return out;
}
