// `npm run bench -- full-verify`: the full verify against count(*) and against the naive comparison
// (every row fetched from both ends and compared in the bot), on (a) one table of 10 million rows
// and (b) 200 tables totalling 10 million rows, identical and then with 100 scattered differences.
// Sizes: FULL_VERIFY_ROWS (default 10,000,000), FULL_VERIFY_RUNS (default 3). FULL_VERIFY_BASELINE: the
// folder of another checkout (a `git worktree` of an older commit, node_modules linked) whose verify is
// timed in turn with this one on the same data, so a change is compared under the same load.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { Client } from 'pg';
import { comparedColumns } from '../src/verify/full/row-hash';
import { tableChecksum, tableSide } from '../src/verify/full/segment-sql';
import { qualified, readTableShapes } from '../src/verify/full/table-shape';
import type { TableVerdict } from '../src/verify/full/table-verdict';
import { ClusterFolder, PgCluster } from '../test/support/pg-cluster';
import { TEST_REDIS_URL } from '../test/support/redis';
import type { Figure } from './sampling-round';
import { serversCpuOf } from './server-cpu';

const run = promisify(execFile);
const ROWS = Number(process.env.FULL_VERIFY_ROWS ?? 10_000_000);
const RUNS = Number(process.env.FULL_VERIFY_RUNS ?? 3);
const BASELINE = process.env.FULL_VERIFY_BASELINE;
export const SHAPE = '(id bigint PRIMARY KEY, user_id int NOT NULL, amount numeric(12,2) NOT NULL, currency text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL, note text)';
export const ROW = (g: string) => `${g}, (${g} * 7919) % 400000, ((${g} * 31) % 100000) / 100.0, CASE WHEN ${g} % 3 = 0 THEN 'EUR' ELSE 'USD' END, CASE WHEN ${g} % 10 = 0 THEN 'refunded' ELSE 'settled' END, timestamptz '2024-01-01' + ${g} * interval '1 second', CASE WHEN ${g} % 5 = 0 THEN NULL ELSE 'note ' || ${g} END`;

interface Scenario {
  label: string;
  tables: string[];
  rowsPerTable: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => `${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)} s`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function load(c: PgCluster, s: Scenario): Promise<void> {
  for (const t of s.tables) {
    await c.sql(`CREATE TABLE ${t} ${SHAPE}; INSERT INTO ${t} SELECT ${ROW('g')} FROM generate_series(1::bigint, ${s.rowsPerTable}) g`, [], 'app');
  }
  await c.sql('VACUUM ANALYZE', [], 'app');
}

/** 100 differences on the target, scattered: a third deleted, a third changed, a third inserted. */
async function scatter(target: PgCluster, s: Scenario): Promise<Set<string>> {
  const expected = new Set<string>();
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), 1 + (seed % n));
  for (let i = 0; i < 100; i++) {
    const t = s.tables[rand(s.tables.length) - 1];
    if (i % 3 === 0) {
      const id = rand(s.rowsPerTable);
      if (expected.has(`public.${t}:${id}`)) continue;
      await target.sql(`DELETE FROM ${t} WHERE id = $1`, [id], 'app');
      expected.add(`public.${t}:${id}:missing`);
    } else if (i % 3 === 1) {
      const id = rand(s.rowsPerTable);
      await target.sql(`UPDATE ${t} SET status = 'tampered' WHERE id = $1`, [id], 'app');
      expected.add(`public.${t}:${id}:different`);
    } else {
      const id = s.rowsPerTable + 1000 + i;
      await target.sql(`INSERT INTO ${t} SELECT ${ROW('$1::bigint')}`, [id], 'app');
      expected.add(`public.${t}:${id}:extra`);
    }
  }
  return expected;
}

async function countBothEnds(source: PgCluster, target: PgCluster, s: Scenario): Promise<number> {
  const side = async (c: PgCluster) => {
    const client = new Client({ connectionString: c.url('app') });
    await client.connect();
    for (const t of s.tables) await client.query(`SELECT count(*) FROM ${t}`);
    await client.end();
  };
  const t0 = performance.now();
  await Promise.all([side(source), side(target)]);
  return performance.now() - t0;
}

/**
 * The verify's row hash alone: one whole-table checksum per table and end (a sequential scan, no
 * segments, no sampling), both ends at once. What any per-row comparison costs at least.
 */
async function hashFloor(source: PgCluster, target: PgCluster, s: Scenario): Promise<void> {
  const clients = await Promise.all([source, target].map(async (c) => {
    const client = new Client({ connectionString: c.url('app') });
    await client.connect();
    await client.query("SET TimeZone = 'UTC'; SET jit = off");
    return client;
  }));
  const [shapesS, shapesT] = await Promise.all(clients.map((c) => readTableShapes(c)));
  const wanted = new Set(s.tables.map((t) => `public.${t}`));
  await Promise.all(
    (['source', 'target'] as const).map(async (side, i) => {
      for (const shape of (side === 'source' ? shapesS : shapesT).filter((t) => wanted.has(qualified(t)))) {
        const other = (side === 'source' ? shapesT : shapesS).find((t) => qualified(t) === qualified(shape))!;
        const { columns } = side === 'source' ? comparedColumns(shape.columns, other.columns, []) : comparedColumns(other.columns, shape.columns, []);
        await tableChecksum(clients[i], tableSide(shape.schema, shape.name, [], columns, side));
      }
    }),
  );
  await Promise.all(clients.map((c) => c.end()));
}

/** The naive way: every row of both ends, in key order, through cursors, compared in the bot. */
async function naive(source: PgCluster, target: PgCluster, tables: string[], maxId: number): Promise<{ ms: number; bytes: number; differing: number }> {
  const open = async (c: PgCluster) => {
    const client = new Client({ connectionString: c.url('app') });
    await client.connect();
    await client.query("SET TimeZone = 'UTC'; BEGIN");
    return client;
  };
  const [a, b] = await Promise.all([open(source), open(target)]);
  const t0 = performance.now();
  let differing = 0;
  for (const t of tables) {
    await Promise.all([a, b].map((c) => c.query(`DECLARE cur CURSOR FOR SELECT id, r::text AS row FROM ${t} r WHERE id <= ${maxId} ORDER BY id`)));
    let left: { id: string; row: string }[] = [];
    let right: { id: string; row: string }[] = [];
    let i = 0;
    let j = 0;
    let doneA = false;
    let doneB = false;
    for (;;) {
      if (i >= left.length && !doneA) [left, i, doneA] = await a.query('FETCH 10000 FROM cur').then((r) => [r.rows, 0, r.rows.length === 0] as const);
      if (j >= right.length && !doneB) [right, j, doneB] = await b.query('FETCH 10000 FROM cur').then((r) => [r.rows, 0, r.rows.length === 0] as const);
      if (i >= left.length && j >= right.length) break;
      const x = left[i];
      const y = right[j];
      if (x && y && x.id === y.id) {
        if (x.row !== y.row) differing++;
        i++;
        j++;
      } else if (y === undefined || (x !== undefined && BigInt(x.id) < BigInt(y.id))) {
        differing++;
        i++;
      } else {
        differing++;
        j++;
      }
    }
    await Promise.all([a, b].map((c) => c.query('CLOSE cur')));
  }
  const ms = performance.now() - t0;
  const bytes = [a, b].reduce((n, c) => n + (c as unknown as { connection: { stream: { bytesRead: number } } }).connection.stream.bytesRead, 0);
  await Promise.all([a.end(), b.end()]);
  return { ms, bytes, differing };
}

/** One full verify in a process of its own (the bot's RSS alone): bench/full-verify-child.ts. */
async function fullVerify(source: PgCluster, target: PgCluster, _redis: Redis, label: string, tree = join(__dirname, '..')): Promise<{ ms: number; bytes: number; peakRss: number; verdicts: TableVerdict[] }> {
  const { stdout } = await run('npx', ['tsx', join(tree, 'bench', 'full-verify-child.ts'), source.url('app'), target.url('app'), label], { maxBuffer: 256 * 1024 * 1024, cwd: tree });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number; bytes: number; peakRss: number; verdicts: TableVerdict[] };
}

function named(verdicts: TableVerdict[]): Set<string> {
  return new Set(verdicts.flatMap((v) => v.differences.map((d) => `${v.table}:${d.key[0]}:${d.kind}`)));
}

export async function benchFullVerify(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const scenarios: Scenario[] = [
    { label: 'a', tables: ['payments'], rowsPerTable: ROWS },
    { label: 'b', tables: Array.from({ length: 200 }, (_, i) => `t_${String(i + 1).padStart(3, '0')}`), rowsPerTable: ROWS / 200 },
  ];
  const redis = new Redis(TEST_REDIS_URL);
  for (const s of scenarios) {
    const folder = new ClusterFolder('cutover-bench-verify-');
    const source = await PgCluster.fresh(folder, 'source');
    const target = await PgCluster.fresh(folder, 'target');
    try {
      for (const c of [source, target]) await c.sql('CREATE DATABASE app');
      await Promise.all([load(source, s), load(target, s)]);
      const name = s.label === 'a' ? `(a) 1 table × ${ROWS.toLocaleString('en-US')} rows` : `(b) 200 tables, ${ROWS.toLocaleString('en-US')} rows`;
      // Identical, then with differences: each run times count(*) and the full verify side by side.
      const same: number[] = [];
      const counts: number[] = [];
      const baseline: number[] = [];
      // Server CPU of each: steadier than wall time on a shared machine.
      const cpu = { same: [] as number[], counts: [] as number[], floor: [] as number[], baseline: [] as number[] };
      const dirs = [source.dataDir, target.dataDir];
      let sameRun = await fullVerify(source, target, redis, s.label);
      for (let i = 0; i < RUNS; i++) {
        cpu.counts.push(await serversCpuOf(dirs, async () => counts.push(await countBothEnds(source, target, s))));
        cpu.floor.push(await serversCpuOf(dirs, () => hashFloor(source, target, s)));
        if (BASELINE) cpu.baseline.push(await serversCpuOf(dirs, async () => baseline.push((await fullVerify(source, target, redis, s.label, BASELINE)).ms)));
        cpu.same.push(await serversCpuOf(dirs, async () => (sameRun = await fullVerify(source, target, redis, s.label))));
        same.push(sameRun.ms);
        if (sameRun.verdicts.some((v) => v.differences.length || v.problems.length)) throw new Error('identical tables reported as differing');
      }
      const expected = await scatter(target, s);
      await target.sql('VACUUM ANALYZE', [], 'app');
      const diff: number[] = [];
      let diffRun = sameRun;
      for (let i = 0; i < RUNS; i++) {
        diffRun = await fullVerify(source, target, redis, s.label);
        diff.push(diffRun.ms);
      }
      const found = named(diffRun.verdicts);
      const allNamed = [...expected].every((e) => found.has(e)) && found.size === expected.size;
      // The naive comparison on a tenth of the rows, extrapolated ×10.
      const slice = s.label === 'a' ? await naive(source, target, s.tables, ROWS / 10) : await naive(source, target, s.tables.slice(0, 20), s.rowsPerTable);
      const naiveMs = slice.ms * 10;
      figures.push(
        { name: `${name}: full verify, identical`, value: `${secs(median(same))} (${spread(same)})`, how: `median of ${RUNS} runs (spread), concurrency 2 per database, both clusters on this 2-core machine` },
        { name: `${name}: count(*) on both ends`, value: `${secs(median(counts))} (${spread(counts)})`, how: 'SELECT count(*) of every table, both ends at once (parallel seq scans), measured between the verify runs' },
        { name: `${name}: full verify ÷ count(*)`, value: `${(median(same) / median(counts)).toFixed(1)}×`, how: 'target ≤ 3×' },
        {
          name: `${name}: servers' CPU, full verify ÷ count(*)`,
          value: `${(median(cpu.same) / median(cpu.counts)).toFixed(1)}× (${secs(median(cpu.same))} against ${secs(median(cpu.counts))}); the row hash alone, one sequential scan a table: ${(median(cpu.floor) / median(cpu.counts)).toFixed(1)}×${BASELINE ? `; baseline checkout ${(median(cpu.baseline) / median(cpu.counts)).toFixed(1)}×` : ''}`,
          how: 'CPU time of both PostgreSQL servers (postmaster, backends, parallel workers) from /proc, medians; the machine\'s load moves it far less than wall time',
        },
        ...(BASELINE ? [{ name: `${name}: baseline checkout, identical`, value: `${secs(median(baseline))} (${spread(baseline)}), this one ${(median(same) / median(baseline)).toFixed(2)}× of it`, how: `the verify of ${BASELINE}, run in turn with this one` }] : []),
        { name: `${name}: with 100 differences`, value: `${secs(median(diff))} (${spread(diff)}), ${(median(diff) / median(same)).toFixed(2)}× identical`, how: 'target ≤ 1.2× identical' },
        { name: `${name}: differences named`, value: `${found.size} of ${expected.size}${allNamed ? ', all exactly' : ' — MISMATCH'}`, how: 'a third deleted, a third updated, a third inserted on the target, keys compared with the verify\'s list' },
        { name: `${name}: naive (fetch all, compare in bot)`, value: `~${secs(naiveMs)} (${(naiveMs / median(same)).toFixed(0)}× the full verify)`, how: `measured on a tenth of the rows (${secs(slice.ms)}, ${(slice.bytes / 2 ** 20).toFixed(0)} MiB read) and extrapolated ×10; target ≥ 10×` },
        { name: `${name}: bytes to the bot`, value: `${(sameRun.bytes / 1024).toFixed(0)} KiB identical, ${(diffRun.bytes / 1024).toFixed(0)} KiB with differences; naive ~${((slice.bytes * 10) / 2 ** 20).toFixed(0)} MiB`, how: 'bytes read from the server sockets of the verify (both ends)' },
        { name: `${name}: bot peak RSS`, value: `${(Math.max(sameRun.peakRss, diffRun.peakRss) / 2 ** 20).toFixed(0)} MiB`, how: 'peak RSS of a process running only the verify (tsx and its loader included: the bot itself is lighter); target < 200 MB' },
      );
    } finally {
      await source.stop('immediate');
      await target.stop('immediate');
      folder.remove();
    }
  }
  redis.disconnect();
  return figures;
}
