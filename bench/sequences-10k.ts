// Sequences at 10,000 tables, on a local source and target:
// (a) the cutover's sequence step (writes stopped, every target sequence behind), against the same
//     work done one statement per table; (b) `sequences check` of both ends.
// Run alone: `npx tsx bench/sequences-10k.ts [tables] [runs]`; `npm run bench` runs it with the others.
import { sequencesStep } from '../src/cutover/steps/sequences';
import type { RunbookDeps } from '../src/cutover/steps/step';
import { quoteIdent, type Queryable } from '../src/db/database';
import { DatabaseSet } from '../src/db/database-set';
import { readSequenceColumns } from '../src/sequences/sequence-catalog';
import { SequenceService } from '../src/sequences/sequence-service';
import { nextValueSql, qualifiedSequence, readSequenceValues } from '../src/sequences/sequence-values';
import { ClusterFolder, PgCluster } from '../test/support/pg-cluster';
import { replicationPlan } from '../test/support/replication-plan';
import { countingQueryable, percentile } from './counting-queryable';
import type { Figure } from './sampling-round';

const ROWS = 20;

async function makeTables(c: PgCluster, tables: number, withRows: boolean): Promise<void> {
  await c.sql('CREATE DATABASE app');
  // In batches: one transaction creating thousands of tables would exhaust the lock table.
  for (let from = 1; from <= tables; from += 250) {
    await c.sql(`DO $$ BEGIN FOR i IN ${from}..${Math.min(tables, from + 249)} LOOP
      EXECUTE format('CREATE TABLE t_%s (id bigserial PRIMARY KEY, v text)', i);
      ${withRows ? `EXECUTE format('INSERT INTO t_%s (id, v) SELECT g, ''x'' FROM generate_series(1, ${ROWS}) g', i);` : ''}
    END LOOP; END $$`, [], 'app');
  }
}

/** Puts every target sequence back at its start, as logical replication or DMS leaves it. */
async function resetTarget(target: PgCluster, tables: number): Promise<void> {
  for (let from = 1; from <= tables; from += 500) {
    await target.sql(`DO $$ BEGIN FOR i IN ${from}..${Math.min(tables, from + 499)} LOOP PERFORM setval(format('t_%s_id_seq', i)::regclass, 1, false); END LOOP; END $$`, [], 'app');
  }
}

const spread = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${percentile(s, 50).toFixed(0)} ms (min ${s[0].toFixed(0)}, max ${s[s.length - 1].toFixed(0)}; runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
};

/** The same sync done the plain way: per table, one statement to fix it and one to check it. */
async function oneStatementPerTable(source: Queryable, target: Queryable): Promise<number> {
  const sourceCols = await readSequenceColumns(source);
  const sourceNext = (await readSequenceValues(source, sourceCols)).next;
  const cols = await readSequenceColumns(target);
  for (const c of cols) {
    const src = sourceNext.get(`${c.seqSchema}.${c.seqName}`);
    const max = `(SELECT max(${quoteIdent(c.column)}) FROM ${quoteIdent(c.tableSchema)}.${quoteIdent(c.tableName)}) + ${c.increment}`;
    await target.query(`SELECT setval('${qualifiedSequence(c).replace(/'/g, "''")}', GREATEST(${max}, ${src ?? 'NULL'}, ${nextValueSql(c)}::bigint), false)`);
  }
  for (const c of cols) {
    await target.query(`SELECT ${nextValueSql(c)} AS next, (SELECT max(${quoteIdent(c.column)}) FROM ${quoteIdent(c.tableSchema)}.${quoteIdent(c.tableName)}) AS max`);
  }
  return cols.length * 2 + 2;
}

export async function benchSequences10k(tables = 10_000, runs = 5): Promise<Figure[]> {
  const folder = new ClusterFolder();
  const source = await PgCluster.fresh(folder, 'source');
  const target = await PgCluster.fresh(folder, 'target');
  try {
    const t0 = performance.now();
    await Promise.all([makeTables(source, tables, true), makeTables(target, tables, true)]);
    console.error(`bench: ${tables} tables on each end in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const plan = replicationPlan({ method: 'logical', subscription: 'sub' });
    const hop = plan.hops[0];
    const dbs = new DatabaseSet(plan, { SOURCE_URL: source.url('app'), TARGET_URL: target.url('app') });
    // The step's statements on the target, counted and timed.
    const targetCounted = countingQueryable(dbs.get('target'));
    const counted = Object.assign(Object.create(dbs) as DatabaseSet, { get: (id: string) => (id === 'target' ? { ...dbs.get('target'), query: targetCounted.query } : dbs.get(id)) });
    const service = new SequenceService(counted, 0);
    const deps = { plan, hop, sequences: service } as unknown as RunbookDeps;
    const step = sequencesStep(hop);

    // (b) sequences check of both ends.
    await service.audit(hop);
    const checks: number[] = [];
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const { audit } = await service.audit(hop);
      checks.push(performance.now() - t);
      findings = audit.findings.length;
    }

    // (a) the cutover's step, every target sequence behind.
    const steps: number[] = [];
    const targetMs: number[] = [];
    const statements: number[] = [];
    let result = '';
    for (let i = 0; i < runs; i++) {
      await resetTarget(target, tables);
      targetCounted.reset();
      const t = performance.now();
      result = await step.run(deps);
      steps.push(performance.now() - t);
      targetMs.push(targetCounted.stats.ms);
      statements.push(targetCounted.stats.queries);
    }
    const plain: number[] = [];
    let plainStatements = 0;
    for (let i = 0; i < Math.min(runs, 3); i++) {
      await resetTarget(target, tables);
      const t = performance.now();
      plainStatements = await oneStatementPerTable(dbs.get('source'), dbs.get('target'));
      plain.push(performance.now() - t);
    }
    await dbs.closeAll();
    const how = `${tables} tables (bigserial, ${ROWS} rows each) on a local source and target, PostgreSQL on the same 2-core machine`;
    return [
      { name: `cutover sequence step at ${tables} tables (wall clock)`, value: spread(steps), how: `${how}; every target sequence behind; result: "${result}"; target ≤ 1,500 ms` },
      { name: `  target statements' time, summed over both lanes`, value: `${spread(targetMs)}; ${statements[0]} statements`, how: 'catalog and sequence names; one sync query per sequence, 250 per round trip, two round trips at a time (each sets the sequence only if behind and returns its value and its columns\' max)' },
      { name: `same work, one statement per table`, value: `${spread(plain)}; ${plainStatements} statements`, how: 'source read as the bot does, then per table one setval(GREATEST(max + 1, source next, own next)) and one read to check' },
      { name: `sequences check, both ends, ${tables} tables`, value: `${spread(checks)} for ${findings} sequences`, how: `${how}; target ≤ 3,000 ms (was 5.6 s)` },
    ];
  } finally {
    await source.stop('immediate');
    await target.stop('immediate');
    folder.remove();
  }
}

if (require.main === module) {
  benchSequences10k(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 5)).then(
    (figures) => {
      for (const f of figures) console.log(`${f.name} | ${f.value} | ${f.how}`);
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
