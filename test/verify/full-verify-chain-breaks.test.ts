import { persistentCount } from '../../src/verify/full/full-verify-store';
import { VerifyDatabases } from '../support/verify-databases';

// Attacks on the chained row hash: rows that differ but that the chain could hash alike.
describe('the chained row hash: rows that differ are found', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'chain-breaks',
      `CREATE TABLE ledger (id int PRIMARY KEY, debit double precision NOT NULL, credit double precision NOT NULL, note text NOT NULL);
        INSERT INTO ledger SELECT g, 0, 0, 'n' FROM generate_series(1, 20) g;
        CREATE TABLE prices (id int PRIMARY KEY, a numeric(12,2) NOT NULL, b numeric(12,2) NOT NULL);
        INSERT INTO prices SELECT g, 1, 1 FROM generate_series(1, 20) g;
        CREATE TABLE events (id int PRIMARY KEY, at timestamp NOT NULL, atz timestamptz NOT NULL, ats timestamp[], atzs timestamptz[]);
        INSERT INTO events SELECT g, '2024-01-01', '2024-01-01', '{2024-01-01}', '{2024-01-01}' FROM generate_series(1, 20) g;
        CREATE TABLE dup (id int PRIMARY KEY, s text NOT NULL);
        INSERT INTO dup SELECT g, 'v' || g FROM generate_series(1, 20) g;
        CREATE TABLE days (id int PRIMARY KEY, d date NOT NULL, ds date[]);
        INSERT INTO days SELECT g, '1992-03-15', '{1992-03-15}' FROM generate_series(1, 20) g;
        CREATE TABLE wide (id int PRIMARY KEY, ${Array.from({ length: 1596 }, (_, i) => `c${i} ${['text', 'int NOT NULL', 'numeric', 'timestamptz'][i % 4]}`).join(', ')});
        INSERT INTO wide (id, ${Array.from({ length: 1596 }, (_, i) => `c${i}`).filter((_, i) => i % 4 === 1).join(', ')}) SELECT g, ${Array.from({ length: 399 }, () => 'g').join(', ')} FROM generate_series(1, 20) g;
        ANALYZE;`,
    );
  }, 60_000);
  afterAll(() => rig?.stop());

  const found = async (table: string) => (await rig.firstPass(table, [{ name: 'id', type: 'integer' }])).found.map((f) => Number(f.key[0])).sort((x, y) => x - y);

  // hashfloat8extended(0, seed) is the seed itself: a zero column passes the chain through, so a
  // value moved to the next float column hashed alike.
  test('a value moved between adjacent float columns next to a zero', async () => {
    await rig.q(0, 'UPDATE ledger SET debit = 100, credit = 0 WHERE id = 3');
    await rig.q(1, 'UPDATE ledger SET debit = 0, credit = 100 WHERE id = 3');
    await rig.q(0, "UPDATE ledger SET debit = -0.0, credit = 7 WHERE id = 4");
    await rig.q(1, "UPDATE ledger SET debit = 7, credit = 0 WHERE id = 4");
    await rig.q(1, "UPDATE ledger SET note = 'changed' WHERE id = 10");
    expect(await found('ledger')).toEqual([3, 4, 10]);
  });

  // hash_numeric_extended(NaN, seed) is the seed: NaN passes the chain through in numeric(p,s).
  test('NaN swapped with a value between adjacent numeric(p,s) columns', async () => {
    await rig.q(0, "UPDATE prices SET a = 'NaN', b = 5 WHERE id = 5");
    await rig.q(1, "UPDATE prices SET a = 5, b = 'NaN' WHERE id = 5");
    await rig.q(0, "UPDATE prices SET a = 'NaN', b = 0 WHERE id = 6");
    await rig.q(1, "UPDATE prices SET a = 0, b = 'NaN' WHERE id = 6");
    expect(await found('prices')).toEqual([5, 6]);
  });

  // timestamp_hash_extended is hashint8extended on the microseconds: it folds the two 32-bit halves,
  // so t and t XOR (2^32 + 1) µs (about 71 minutes apart) hash alike. Scalars keep the fold (all 64
  // bits cost a quarter of the verify's time; see timestampHash); in arrays they were hashed alike too,
  // and arrays are now hashed by their text.
  test('timestamps 2^32 + 1 microseconds apart that the 64-to-32-bit fold maps alike, in arrays', async () => {
    const t = 792000000000000n; // µs since 2000-01-01, in 2025
    const u = t ^ 0x100000001n;
    const at = (us: bigint) => `timestamp '2000-01-01' + interval '${us} microseconds'`;
    await rig.q(0, `UPDATE events SET ats = ARRAY[${at(t)}], atzs = ARRAY[${at(t)}] WHERE id IN (10, 11)`);
    await rig.q(1, `UPDATE events SET ats = ARRAY[${at(u)}], atzs = ARRAY[${at(t)}] WHERE id = 10`);
    await rig.q(1, `UPDATE events SET ats = ARRAY[${at(t)}], atzs = ARRAY[${at(u)}] WHERE id = 11`);
    // Ordinary differences in the scalars are found: a zone mistake (an hour), a truncation to the second.
    await rig.q(0, `UPDATE events SET at = ${at(t)} + interval '0.5 s', atz = ${at(t)} WHERE id IN (12, 13)`);
    await rig.q(1, `UPDATE events SET at = ${at(t)}, atz = ${at(t)} WHERE id = 12`);
    await rig.q(1, `UPDATE events SET at = ${at(t)} + interval '0.5 s', atz = ${at(t)} + interval '1 hour' WHERE id = 13`);
    expect(await found('events')).toEqual([10, 11, 12, 13]);
    const v = await rig.verdict('events');
    expect(v.differences.map((d) => [d.key[0], d.columns])).toEqual([['10', ['ats']], ['11', ['atzs']], ['12', ['at']], ['13', ['atz']]]);
  });

  // Dates were hashed as timestamps by the same fold: 1992-03-15 and 2480-07-14 hashed alike.
  test('dates the fold maps alike, alone and in arrays', async () => {
    await rig.q(1, "UPDATE days SET d = '2480-07-14' WHERE id = 3");
    await rig.q(1, "UPDATE days SET ds = '{2480-07-14}' WHERE id = 4");
    expect(await found('days')).toEqual([3, 4]);
  });

  // The chain nests one hash call a column: a table of 1596 columns must still be compared (no
  // "stack depth limit exceeded" from the parser or the executor).
  test('a table of 1596 columns is compared, and a difference in its last column found', async () => {
    await rig.q(1, "UPDATE wide SET c1595 = '2020-01-01' WHERE id = 12");
    await rig.q(1, "UPDATE wide SET c0 = 'x' WHERE id = 13");
    expect(await found('wide')).toEqual([12, 13]);
  });

  // A target without the primary key holding a row twice: the segment counts differ (20 and 22) and
  // bisection fetches the keys, but the fetch keeps one row a key, so both sides looked alike and the
  // verdict had no difference and no problem (the run read as equal). Keys held twice are now named.
  test('a target without the primary key that holds rows twice is not equal', async () => {
    await rig.q(1, 'ALTER TABLE dup DROP CONSTRAINT dup_pkey');
    await rig.q(1, "INSERT INTO dup VALUES (5, 'v5'), (6, 'v6')");
    const v = await rig.verdict('dup');
    expect([v.rowsSource, v.rowsTarget]).toEqual([20, 22]);
    expect(persistentCount(v)).toBeGreaterThan(0);
    expect(v.problems).toEqual(['2 keys are held by more than one row on the target (is its primary key missing there?): id=5, id=6']);
  });
});
