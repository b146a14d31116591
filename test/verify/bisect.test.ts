import { Client } from 'pg';
import { diffKeyedTable, type SegmentOptions, type Side } from '../../src/verify/full/keyed-table-diff';
import { Limiter } from '../../src/verify/full/limiter';
import { comparedColumns } from '../../src/verify/full/row-hash';
import { tableSide } from '../../src/verify/full/segment-sql';
import { readTableShapes } from '../../src/verify/full/table-shape';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

// The default segments are fetched whole once they differ; these are small enough that every
// differing segment is bisected (split at the bigger side's keys, checksummed again) before a fetch.
const SMALL: SegmentOptions = { segmentRows: 400, segmentsPerStatement: 7, fetchRows: 20, fanout: 4, maxNamed: 10_000 };

describe('bisecting a differing segment down to its keys', () => {
  const folder = new ClusterFolder();
  let cluster: PgCluster;
  const clients: Client[] = [];

  beforeAll(async () => {
    cluster = await PgCluster.fresh(folder, 'bisect');
    for (const db of ['src', 'tgt']) {
      await cluster.sql(`CREATE DATABASE ${db}`);
      // Skewed keys: a dense run, a sparse tail, and a far outlier.
      await cluster.sql(`CREATE TABLE items (id bigint PRIMARY KEY, v text NOT NULL, n int);
        INSERT INTO items SELECT g, 'v' || g, g % 7 FROM generate_series(1, 6000) g;
        INSERT INTO items SELECT 1000000 + g * 9973, 'sparse' || g, NULL FROM generate_series(1, 2000) g;
        INSERT INTO items VALUES (9000000000, 'far', 1); ANALYZE items;`, [], db);
    }
    await cluster.sql(`DELETE FROM items WHERE id IN (17, 1000000 + 500 * 9973);
      UPDATE items SET n = NULL WHERE id = 4242; UPDATE items SET v = 'changed' WHERE id = 9000000000;
      INSERT INTO items VALUES (6001, 'new', 0), (1000000 + 1999 * 9973 + 1, 'new', 0);`, [], 'tgt');
    for (const db of ['src', 'tgt']) {
      const c = new Client({ connectionString: cluster.url(db) });
      await c.connect();
      await c.query("SET TimeZone = 'UTC'");
      clients.push(c);
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await cluster?.stop('immediate');
    folder.remove();
  });

  test('every differing key is named, each segment bisected, the rows counted once', async () => {
    const [s, t] = await Promise.all(clients.map(async (c) => (await readTableShapes(c)).find((x) => x.name === 'items')!));
    const { columns } = comparedColumns(s.columns, t.columns, []);
    const key = [{ name: 'id', type: 'bigint' }];
    const side = (c: Client, which: 'source' | 'target'): Side => ({ db: c, limit: new Limiter(2), table: tableSide('public', 'items', key, columns, which) });
    const pass = await diffKeyedTable(side(clients[0], 'source'), side(clients[1], 'target'), { estimate: s.estimate, pages: s.pages }, SMALL, () => undefined);
    const found = pass.found.map((f) => `${f.key[0]} ${f.source === undefined ? 'extra' : f.target === undefined ? 'missing' : 'different'}`).sort();
    expect(found).toEqual([
      `${1000000 + 1999 * 9973 + 1} extra`,
      `${1000000 + 500 * 9973} missing`,
      '17 missing',
      '4242 different',
      '6001 extra',
      '9000000000 different',
    ].sort());
    expect([pass.rowsSource, pass.rowsTarget]).toEqual([8001, 8001]);
    // First pass: ~20 segments in statements of at most 7; every one of the six differing segments
    // then costs a split, a checksum of its parts and a fetch: well over the first pass alone.
    expect(pass.statements).toBeGreaterThan(6 * 3);
  });
});
