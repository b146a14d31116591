import type { SegmentOptions } from '../../src/verify/full/keyed-table-diff';
import { VerifyDatabases } from '../support/verify-databases';

// Segments small enough that every differing one is bisected (split at the bigger side's keys,
// checksummed again) before its keys are fetched.
const SMALL: SegmentOptions = { segmentRows: 400, segmentsPerStatement: 7, fetchRows: 20, fanout: 4, maxNamed: 10_000 };

describe('bisecting a differing segment down to its keys', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    // Skewed keys: a dense run, a sparse tail, and a far outlier.
    rig = await VerifyDatabases.start(
      'bisect',
      `CREATE TABLE items (id bigint PRIMARY KEY, v text NOT NULL, n int);
       INSERT INTO items SELECT g, 'v' || g, g % 7 FROM generate_series(1, 6000) g;
       INSERT INTO items SELECT 1000000 + g * 9973, 'sparse' || g, NULL FROM generate_series(1, 2000) g;
       INSERT INTO items VALUES (9000000000, 'far', 1); ANALYZE items;`,
    );
    await rig.q(1, `DELETE FROM items WHERE id IN (17, 1000000 + 500 * 9973);
      UPDATE items SET n = NULL WHERE id = 4242; UPDATE items SET v = 'changed' WHERE id = 9000000000;
      INSERT INTO items VALUES (6001, 'new', 0), (1000000 + 1999 * 9973 + 1, 'new', 0);`);
  }, 60_000);
  afterAll(() => rig?.stop());

  test('every differing key is named, each segment bisected, the rows counted once', async () => {
    const pass = await rig.firstPass('items', [{ name: 'id', type: 'bigint' }], SMALL);
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
