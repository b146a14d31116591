import { VerifyDatabases } from '../support/verify-databases';

// Values that differ but that the type hash functions map to one hash: each must still be found.
describe('the row hash tells apart values its types hash alike', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'collisions',
      `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
        CREATE TABLE vals (id int PRIMARY KEY, n numeric, i interval, j jsonb, a int[], b int[], t text[] COLLATE ci, na numeric[]);
        INSERT INTO vals (id) SELECT g FROM generate_series(1, 20) g;
        CREATE TABLE days (id int PRIMARY KEY, d date NOT NULL, ds date[]);
        INSERT INTO days VALUES (1, 'infinity', '{infinity}'), (2, '-infinity', NULL), (3, '2024-02-29', '{2024-02-29}');
        ANALYZE;`,
      "SET TimeZone = 'UTC'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1",
    );
    // One differing column a row; rows 10 and up hold equal values that must stay equal.
    const rows: [string, string, string][] = [
      ['n', "'Infinity'", "'-Infinity'"],
      ['n', "'NaN'", "'Infinity'"],
      ['i', "'1 mon'", "'30 days'"],
      ['j', `'{"a": 1}'`, `'{"a": [[1]]}'`],
      ['a', "'{1,2,3,4}'", "'{{1,2},{3,4}}'"],
      ['a, b', "'{}', '{}'", "'{NULL}', '{NULL}'"],
      ['t', "'{Abc}'", "'{abc}'"],
      ['na', "'{1,Infinity}'", "'{1,-Infinity}'"],
    ];
    const equal: [string, string, string][] = [
      ['n', "1.5", "1.50"],
      ['n', "'NaN'", "'NaN'"],
      ['i', "'1 day'", "'24:00:00'::interval - '24:00:00' + '1 day'"],
      ['j', `'{"b": 1, "a": [2, {}]}'`, `'{"a": [2, {}], "b": 1}'`],
      ['a, b', "'{}', '{NULL}'", "'{}', '{NULL}'"],
      ['t', "'{Abc,NULL}'", "'{Abc,NULL}'"],
      ['na', "'{1.5,NULL}'", "'{1.50,NULL}'"],
      ['na', "'{NaN}'", "'{NaN}'"],
    ];
    for (const [i, [cols, s, t]] of [...rows, ...equal].entries()) {
      const id = i < rows.length ? i + 1 : i - rows.length + 10;
      await rig.q(0, `UPDATE vals SET (${cols}) = ROW(${s}) WHERE id = ${id}`);
      await rig.q(1, `UPDATE vals SET (${cols}) = ROW(${t}) WHERE id = ${id}`);
    }
  }, 60_000);
  afterAll(() => rig?.stop());

  const diff = (table: string) => rig.firstPass(table, [{ name: 'id', type: 'integer' }]);

  test('±Infinity and NaN numerics (also in arrays), 1 mon and 30 days, nested JSON arrays, array shapes, NULL-only and empty arrays, case under a nondeterministic collation', async () => {
    const pass = await diff('vals');
    expect(pass.found.map((f) => Number(f.key[0])).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('infinite dates are hashed (equal on both sides), not an error that leaves the table uncompared', async () => {
    await rig.q(1, `UPDATE days SET ds = '{infinity,2020-01-01}' WHERE id = 3`);
    const pass = await diff('days');
    expect(pass.found.map((f) => f.key[0])).toEqual(['3']);
    expect([pass.rowsSource, pass.rowsTarget]).toEqual([3, 3]);
  });
});
