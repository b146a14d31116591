// `sequences check` on 2,000 tables with serial keys and rows: the bot's audit (one catalog query,
// one value query) against the same audit done one table at a time, as a ratio.
import { quoteIdent } from '../src/db/database';
import { DatabaseSet } from '../src/db/database-set';
import { readSequenceColumns } from '../src/sequences/sequence-catalog';
import { SequenceService } from '../src/sequences/sequence-service';
import { ClusterFolder, PgCluster } from '../test/support/pg-cluster';
import { replicationPlan } from '../test/support/replication-plan';
import { countingQueryable, percentile } from './counting-queryable';
import type { Figure } from './sampling-round';

export async function benchSequenceAudit(tables = 2000, runs = 5): Promise<Figure[]> {
  const folder = new ClusterFolder();
  const source = await PgCluster.fresh(folder, 'source');
  const target = await PgCluster.fresh(folder, 'target');
  try {
    for (const c of [source, target]) {
      await c.sql('CREATE DATABASE app');
      // In batches: one transaction creating thousands of tables would exhaust the lock table.
      for (let from = 1; from <= tables; from += 100) {
        await c.sql(`DO $$ BEGIN FOR i IN ${from}..${Math.min(tables, from + 99)} LOOP
          EXECUTE format('CREATE TABLE t_%s (id serial PRIMARY KEY, v text)', i);
          EXECUTE format('INSERT INTO t_%s (v) SELECT ''x'' FROM generate_series(1, 20)', i);
        END LOOP; END $$`, [], 'app');
      }
    }
    const plan = replicationPlan({ method: 'logical', subscription: 'sub' });
    const dbs = new DatabaseSet(plan, { SOURCE_URL: source.url('app'), TARGET_URL: target.url('app') });
    // Count the bot's statements on the target by wrapping the database it is given.
    const targetCounted = countingQueryable(dbs.get('target'));
    const counted = Object.assign(Object.create(dbs) as DatabaseSet, {
      get: (id: string) => (id === 'target' ? { ...dbs.get('target'), query: targetCounted.query } : dbs.get(id)),
    });
    const service = new SequenceService(counted, 0);
    const hop = plan.hops[0];
    await service.audit(hop);
    targetCounted.reset();
    const times: number[] = [];
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      findings = (await service.audit(hop)).audit.findings.length;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const botStatements = targetCounted.stats.queries / runs;
    // The same audit of the target, one table at a time: two statements per sequence.
    const target1 = countingQueryable(dbs.get('target'));
    const slow: number[] = [];
    for (let i = 0; i < runs; i++) {
      target1.reset();
      const t = performance.now();
      const cols = await readSequenceColumns(target1);
      for (const c of cols) {
        await target1.query(`SELECT last_value, is_called FROM ${quoteIdent(c.seqSchema)}.${quoteIdent(c.seqName)}`);
        await target1.query(`SELECT max(${quoteIdent(c.column)}) FROM ${quoteIdent(c.tableSchema)}.${quoteIdent(c.tableName)}`);
      }
      slow.push(performance.now() - t);
    }
    slow.sort((a, b) => a - b);
    await dbs.closeAll();
    const how = `${tables} tables with serial keys and 20 rows each, local source and target, median of ${runs} runs`;
    return [
      { name: 'sequences check (source + target), median', value: `${percentile(times, 50).toFixed(0)} ms for ${findings} sequences`, how: `${how}; target under 2,000 ms` },
      { name: 'same audit of the target, one table at a time', value: `${percentile(slow, 50).toFixed(0)} ms, ${target1.stats.queries} statements`, how },
      { name: 'bot statements on the target per check', value: `${botStatements.toFixed(0)}`, how: 'catalog, sequence names, values in batches of 200, plus the lost-default lookup' },
      { name: 'one table at a time ÷ bot, on loopback', value: `${(percentile(slow, 50) / percentile(times, 50)).toFixed(1)}×`, how: 'the bot audits both source and target in its time; the other, the target only' },
      {
        name: 'one table at a time ÷ bot, at 1 ms round trip',
        value: `${((percentile(slow, 50) + target1.stats.queries) / (percentile(times, 50) + 2 * botStatements)).toFixed(1)}×`,
        how: 'the loopback times plus 1 ms per statement (both ends counted for the bot): a database in another network',
      },
    ];
  } finally {
    await source.stop('immediate');
    await target.stop('immediate');
    folder.remove();
  }
}
