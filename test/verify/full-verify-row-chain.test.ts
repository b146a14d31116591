import { VerifyDatabases } from '../support/verify-databases';

// The row hash chains the columns NOT NULL on both sides (each hashed with the hash before it as its
// seed) and XORs the others in; segments add rows up with bit_xor, or sum before PostgreSQL 14.
describe('the row hash: 64-bit integers, the chain, and both aggregates', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'row-chain',
      `CREATE TABLE wide (id bigint PRIMARY KEY, v bigint NOT NULL, w bigint, a bigint[], k int NOT NULL, m numeric(12,2) NOT NULL, u numeric(12,2) NOT NULL, s text NOT NULL);
        INSERT INTO wide SELECT g, g * 1000, g, ARRAY[g], g, g / 4.0, g / 4.0, 'row ' || g FROM generate_series(1, 40) g;
        CREATE TABLE pairs (id int PRIMARY KEY, status text, tags text[], n numeric);
        INSERT INTO pairs SELECT g, 'new', '{a}', 1 FROM generate_series(1, 40) g;
        CREATE TABLE loose (id numeric PRIMARY KEY, s text);
        INSERT INTO loose SELECT g, 'new' FROM generate_series(1, 40) g;
        ANALYZE;`,
    );
    // The target's k is a bigint and its u an unconstrained numeric; equal values must stay equal.
    await rig.q(1, 'ALTER TABLE wide ALTER COLUMN k TYPE bigint, ALTER COLUMN u TYPE numeric');
    const differ: [number, string, string][] = [
      // hashint8extended folds a bigint's halves into 32 bits: each of these pairs hashed alike.
      [1, 'v = -1', 'v = 4294967295'],
      [2, 'v = 0', 'v = 4294967297'],
      [3, 'w = -7', 'w = 4294967289'],
      [4, "a = '{-1}'", "a = '{4294967295}'"],
      [5, 'k = -2', 'k = 4294967294'],
      // NaN is the only special value numeric(12,2) can hold; an unconstrained numeric can hold ±Infinity too.
      [6, "m = 'NaN'", 'm = 1.25'],
      [7, "u = 'NaN'", "u = 'Infinity'"],
      [8, "s = 'x'", "s = 'y'"],
    ];
    for (const [id, s, t] of differ) {
      await rig.q(0, `UPDATE wide SET ${s} WHERE id = ${id}`);
      await rig.q(1, `UPDATE wide SET ${t} WHERE id = ${id}`);
    }
    await rig.q(0, "UPDATE wide SET m = 'NaN', u = 'NaN' WHERE id = 20");
    await rig.q(1, "UPDATE wide SET m = 'NaN', u = 'NaN' WHERE id = 20");
    // A row whose key differs only as the fold sees it: -1 on the source, 4294967295 on the target.
    await rig.q(0, 'INSERT INTO wide VALUES (-1, 5, 5, NULL, 5, 5, 5, $$k$$)');
    await rig.q(1, 'INSERT INTO wide VALUES (4294967295, 5, 5, NULL, 5, 5, 5, $$k$$)');
  }, 60_000);
  afterAll(() => rig?.stop());

  const expected = ['-1', '1', '2', '3', '4', '4294967295', '5', '6', '7', '8'];
  const keys = (found: { key: string[] }[]) => found.map((f) => f.key[0]).sort();

  test.each(['bit_xor', 'sum'] as const)('each differing row is found, and only those (%s)', async (aggregate) => {
    const pass = await rig.firstPass('wide', [{ name: 'id', type: 'bigint' }], undefined, aggregate);
    expect(keys(pass.found)).toEqual(expected);
    expect([pass.rowsSource, pass.rowsTarget]).toEqual([41, 41]);
  });

  // Were a row's column hashes XORed together (not chained), a column hashed on its own would not
  // depend on the key, and under bit_xor two rows changed alike would cancel out in their segment.
  test('two rows of one segment changed alike are both found (a nullable column, an array, a numeric)', async () => {
    await rig.q(1, "UPDATE pairs SET status = 'paid' WHERE id IN (3, 4)");
    await rig.q(1, "UPDATE pairs SET tags = '{b}' WHERE id IN (10, 11)");
    await rig.q(1, 'UPDATE pairs SET n = 2 WHERE id IN (20, 21)');
    await rig.q(1, 'UPDATE pairs SET status = NULL WHERE id IN (30, 31)');
    const pass = await rig.firstPass('pairs', [{ name: 'id', type: 'integer' }]);
    expect(pass.found.map((f) => Number(f.key[0])).sort((a, b) => a - b)).toEqual([3, 4, 10, 11, 20, 21, 30, 31]);
  });

  test('a table with no column on the chain (a numeric key, a nullable column): rows changed alike are found', async () => {
    await rig.q(1, "UPDATE loose SET s = 'paid' WHERE id IN (3, 4)");
    await rig.q(1, 'UPDATE loose SET s = NULL WHERE id IN (7, 8)');
    await rig.q(1, 'UPDATE loose SET id = id + 100 WHERE id IN (12, 13)');
    const pass = await rig.firstPass('loose', [{ name: 'id', type: 'numeric' }]);
    expect(pass.found.map((f) => Number(f.key[0])).sort((a, b) => a - b)).toEqual([3, 4, 7, 8, 12, 13, 112, 113]);
  });

  test('the verdict names the columns that differ, each hashed on its own', async () => {
    const v = await rig.verdict('wide');
    const byKey = new Map(v.differences.map((d) => [d.key[0], d]));
    expect([...byKey.keys()].sort()).toEqual(expected);
    expect(byKey.get('1')).toEqual({ key: ['1'], kind: 'different', columns: ['v'] });
    expect(byKey.get('4')?.columns).toEqual(['a']);
    expect(byKey.get('5')?.columns).toEqual(['k']);
    expect(byKey.get('7')?.columns).toEqual(['u']);
    expect(byKey.get('-1')?.kind).toBe('missing');
    expect(byKey.get('4294967295')?.kind).toBe('extra');
  });
});
