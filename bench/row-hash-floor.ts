// `npm run bench -- row-hash-floor`: what reading and hashing every value of a row costs PostgreSQL
// itself, against count(*), on one backend (no parallel workers, no segments, nothing else): the
// floor under any comparison that hashes every value in SQL. The table has the full verify bench's
// shape; ROW_HASH_FLOOR_ROWS rows (default 4,000,000). Figures are the backend's CPU time from /proc,
// the median of 5 runs after one warm-up.
import { Client } from 'pg';
import { comparedColumns, rowHash } from '../src/verify/full/row-hash';
import { readTableShapes } from '../src/verify/full/table-shape';
import { ClusterFolder, PgCluster } from '../test/support/pg-cluster';
import { ROW, SHAPE } from './full-verify';
import type { Figure } from './sampling-round';
import { processCpuMs } from './server-cpu';

const ROWS = Number(process.env.ROW_HASH_FLOOR_ROWS ?? 4_000_000);
// amounts has a declared scale (hashed by its text), amounts_any the same values without one (element by element).
const ARRAY_SHAPE = '(id bigint PRIMARY KEY, amounts numeric(12,2)[] NOT NULL, amounts_any numeric[] NOT NULL, counts int[] NOT NULL, tags text[] NOT NULL, seen timestamptz[] NOT NULL)';
const AMOUNTS = (g: string) => `ARRAY[(${g} % 100000) / 100.0, -(${g} % 977) / 100.0, ${g} / 7.0]`;
const ARRAY_ROW = (g: string) =>
  `${g}, ${AMOUNTS(g)}::numeric(12,2)[], ${AMOUNTS(g)}::numeric(12,2)[]::numeric[], ARRAY[${g}::int % 1000, 2, 3], ARRAY['tag' || (${g} % 50), 'b', 'c'], ARRAY[timestamptz '2024-01-01' + ${g} * interval '1 second', now(), now()]`;

export async function benchRowHashFloor(): Promise<Figure[]> {
  const folder = new ClusterFolder('cutover-bench-floor-');
  const cluster = await PgCluster.fresh(folder, 'floor');
  const client = new Client({ connectionString: cluster.url() });
  try {
    await cluster.sql(`CREATE TABLE t ${SHAPE}; INSERT INTO t SELECT ${ROW('g')} FROM generate_series(1::bigint, ${ROWS}) g`);
    await cluster.sql('VACUUM ANALYZE t');
    await client.connect();
    await client.query("SET TimeZone = 'UTC'; SET max_parallel_workers_per_gather = 0; SET jit = off");
    const pid = (await client.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0].p;
    const cpu = async (sql: string) => {
      await client.query(sql);
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = processCpuMs(pid);
        await client.query(sql);
        runs.push(processCpuMs(pid) - before);
      }
      return runs.sort((a, b) => a - b)[2];
    };
    const shape = (await readTableShapes(client)).find((s) => s.name === 't')!;
    const { columns } = comparedColumns(shape.columns, shape.columns, []);
    const count = await cpu('SELECT count(*) FROM t');
    const figures: Figure[] = [];
    const add = (name: string, ms: number, how: string) => figures.push({ name: `row hash floor, ${ROWS.toLocaleString('en-US')} rows: ${name}`, value: `${ms} ms CPU, ${(ms / count).toFixed(2)}× count(*)`, how });
    add('count(*)', count, 'SELECT count(*): reads every row, deforms none');
    add('every value read', await cpu('SELECT count(*), count(note) FROM t'), 'count of the last column: every column of every row deformed, nothing hashed');
    for (const c of columns) add(`column ${c.name} hashed alone`, await cpu(`SELECT count(*), count(note), bit_xor(${c.source}) FROM t r`), "that column's own hash (as the verify names differing columns), bit_xor over the table, every value read");
    const hash = rowHash(columns, 'source');
    add("the verify's row hash", await cpu(`SELECT count(*), bit_xor(${hash}) FROM t r`), 'the whole row hash, one sequential scan, bit_xor: the least the verify can cost');
    // Array columns hash element by element where PostgreSQL's own array hash would be weaker (numeric[]
    // drops the sign, timestamp[] folds): what each costs, per row, against count(*) of their table.
    await cluster.sql(`CREATE TABLE a ${ARRAY_SHAPE}; INSERT INTO a SELECT ${ARRAY_ROW('g')} FROM generate_series(1::bigint, ${ROWS}) g`);
    await cluster.sql('VACUUM ANALYZE a');
    const arrayShape = (await readTableShapes(client)).find((x) => x.name === 'a')!;
    const arrays = comparedColumns(arrayShape.columns, arrayShape.columns, []).columns.filter((c) => c.name !== 'id');
    const arrayCount = await cpu('SELECT count(*) FROM a');
    const perRow = (ms: number) => `${Math.round((ms * 1e6) / ROWS)} ns a row`;
    for (const c of arrays) {
      const ms = await cpu(`SELECT count(*), bit_xor(${c.source}) FROM a r`);
      figures.push({ name: `row hash floor, ${ROWS.toLocaleString('en-US')} rows: array column ${c.name} (3 elements) hashed alone`, value: `${ms} ms CPU, ${(ms / arrayCount).toFixed(2)}× count(*) of its table, ${perRow(ms - arrayCount)} over count(*)`, how: "that column's hash as the verify computes it, bit_xor over the table" });
    }
    await client.query('SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0');
    add("the verify's row hash under JIT", await cpu(`SELECT count(*), bit_xor(${hash}) FROM t r`), 'the same with LLVM JIT, inlining and optimisation on (compile time included)');
    return figures;
  } finally {
    await client.end().catch(() => undefined);
    await cluster.stop('immediate');
    folder.remove();
  }
}
