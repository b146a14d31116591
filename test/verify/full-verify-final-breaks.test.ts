import { comparedColumns } from '../../src/verify/full/row-hash';
import { VerifyDatabases } from '../support/verify-databases';

// Final attacks on the full verify's row hash. hash_numeric_extended (PostgreSQL's numeric hash)
// ignores the sign (hash(5) = hash(-5), numeric.c: "We also don't hash on the sign") and XORs the
// base-10000 weight into its result after hashing (hash(10000) = hash(1) ^ 1), so a numeric's own
// hash cannot be XORed with other hashes (off the chain, or the last link of the chain under bit_xor).
describe('numeric hashes: sign and weight', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'final-breaks',
      `CREATE TABLE acct (id int PRIMARY KEY, balance numeric);
        INSERT INTO acct SELECT g, 5 FROM generate_series(1, 20) g;
        CREATE TABLE wallet (id int PRIMARY KEY, note text NOT NULL, cash money NOT NULL);
        INSERT INTO wallet SELECT g, 'n', 1 FROM generate_series(1, 20) g;
        CREATE TABLE fixed (id int PRIMARY KEY, amount numeric(12,2) NOT NULL);
        INSERT INTO fixed SELECT g, 7 FROM generate_series(1, 20) g;
        CREATE TABLE pair (id int PRIMARY KEY, a numeric, b numeric);
        INSERT INTO pair SELECT g, 1, 1 FROM generate_series(1, 20) g;
        CREATE TABLE mixed (id int PRIMARY KEY, q int NOT NULL);
        INSERT INTO mixed SELECT g, 9 FROM generate_series(1, 20) g;
        CREATE TABLE arrs (id int PRIMARY KEY, big bigint[], nums numeric[]);
        INSERT INTO arrs SELECT g, '{5,6}', '{1.5,2}' FROM generate_series(1, 20) g;
        ANALYZE;`,
    );
    // The target's q is numeric (a type changed in the migration): the pair hashes as numeric.
    await rig.q(1, 'ALTER TABLE mixed ALTER COLUMN q TYPE numeric');
  }, 60_000);
  afterAll(() => rig?.stop());

  const found = async (table: string) => (await rig.firstPass(table, [{ name: 'id', type: 'integer' }])).found.map((f) => Number(f.key[0])).sort((x, y) => x - y);

  test('a numeric whose sign flipped (off the chain, nullable)', async () => {
    await rig.q(1, 'UPDATE acct SET balance = -5 WHERE id = 3');
    expect(await found('acct')).toEqual([3]);
    const v = await rig.verdict('acct');
    expect(v.differences).toEqual([{ key: ['3'], kind: 'different', columns: ['balance'] }]);
  });

  test('a numeric(p,s) whose sign flipped', async () => {
    await rig.q(1, 'UPDATE fixed SET amount = -7 WHERE id = 4');
    expect(await found('fixed')).toEqual([4]);
  });

  test('money whose sign flipped (on the chain, its last link)', async () => {
    await rig.q(1, 'UPDATE wallet SET cash = -1 WHERE id = 5');
    expect(await found('wallet')).toEqual([5]);
  });

  test('money multiplied by 10000 on two rows: the weight XORed after the last link cancels under bit_xor', async () => {
    await rig.q(1, 'UPDATE wallet SET cash = 10000 WHERE id IN (7, 8)');
    expect(await found('wallet')).toEqual([5, 7, 8]);
  });

  test('two off-chain numerics both multiplied by 10000: their weights cancel in the XOR', async () => {
    await rig.q(1, 'UPDATE pair SET a = 10000, b = 10000 WHERE id = 6');
    expect(await found('pair')).toEqual([6]);
  });

  test('an integer on the source, a numeric on the target, sign flipped', async () => {
    await rig.q(1, 'UPDATE mixed SET q = -9 WHERE id = 2');
    expect(await found('mixed')).toEqual([2]);
  });

  test('bigint[] and numeric[] elements whose sign flipped', async () => {
    await rig.q(1, "UPDATE arrs SET big = '{-5,6}' WHERE id = 2");
    await rig.q(1, "UPDATE arrs SET nums = '{1.5,-2}' WHERE id = 3");
    expect(await found('arrs')).toEqual([2, 3]);
  });

  test('a NULL numeric[] against an empty one', async () => {
    await rig.q(0, "UPDATE arrs SET nums = NULL WHERE id = 9");
    await rig.q(1, "UPDATE arrs SET nums = '{}' WHERE id = 9");
    expect(await found('arrs')).toEqual([2, 3, 9]);
  });
});

// numeric(p,s)[] of one scale on both sides is hashed by its text (every element stored with that
// scale, so the text is canonical), a quarter of the cost of trimming each element's zeros.
describe('numeric(p,s)[] hashed by its text', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'final-breaks-fixed-arrays',
      `CREATE TABLE fx (id int PRIMARY KEY, amounts numeric(12,2)[] NOT NULL, wider numeric(12,2)[], loose numeric(12,2)[]);
        INSERT INTO fx SELECT g, '{1.5,2,-3.25}', '{{1,2},{3,4}}', '{1.5,7}' FROM generate_series(1, 20) g;
        ANALYZE;`,
    );
    // The migration widened one column (same scale) and dropped the other's modifier: equal values stay equal.
    await rig.q(1, 'ALTER TABLE fx ALTER COLUMN wider TYPE numeric(16,2)[]');
    await rig.q(1, 'ALTER TABLE fx ALTER COLUMN loose TYPE numeric[]');
    await rig.q(1, "UPDATE fx SET loose = '{1.5,7}'");
  }, 60_000);
  afterAll(() => rig?.stop());

  const found = async () => (await rig.firstPass('fx', [{ name: 'id', type: 'integer' }])).found.map((f) => Number(f.key[0])).sort((x, y) => x - y);

  test('the same scale on both sides is hashed by its text; another scale element by element', async () => {
    const [s, t] = await rig.shapes('fx');
    const { columns } = comparedColumns(s.columns, t.columns, []);
    const byName = (n: string) => columns.find((c) => c.name === n)!;
    expect(byName('amounts').source).not.toContain('unnest');
    expect(byName('wider').target).not.toContain('unnest');
    expect(byName('loose').target).toContain('unnest');
    expect(await found()).toEqual([]);
  });

  test('a sign, a weight, NaN, the order of elements and the dimensions are each told apart', async () => {
    await rig.q(1, "UPDATE fx SET amounts = '{1.5,-2,-3.25}' WHERE id = 2");
    await rig.q(1, "UPDATE fx SET amounts = '{1.5,20000,-3.25}' WHERE id = 3");
    await rig.q(1, "UPDATE fx SET amounts = '{1.5,NaN,-3.25}' WHERE id = 4");
    await rig.q(1, "UPDATE fx SET amounts = '{2,1.5,-3.25}' WHERE id = 5");
    await rig.q(1, "UPDATE fx SET wider = '{1,2,3,4}' WHERE id = 6");
    await rig.q(1, "UPDATE fx SET loose = '{1.5,-7}' WHERE id = 7");
    expect(await found()).toEqual([2, 3, 4, 5, 6, 7]);
  });
});

// exclude_columns may name a key column. Off the hash, the key no longer tells rows apart in a
// segment's count and XOR: a row moved to another key (same contents), or, with every column
// excluded (the row hash is then 0), any row replaced by another, leaves the segment equal.
describe('excluded key columns', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'final-breaks-excl',
      `CREATE TABLE moved (id int PRIMARY KEY, v text NOT NULL, stamp timestamptz);
        INSERT INTO moved SELECT g, 'v' || g, now() FROM generate_series(1, 20) g;
        CREATE TABLE bare (id int PRIMARY KEY, v text NOT NULL);
        INSERT INTO bare SELECT g, 'v' || g FROM generate_series(1, 20) g;
        ANALYZE;`,
    );
  }, 60_000);
  afterAll(() => rig?.stop());

  const verdict = (table: string, excludedColumns: string[]) => rig.verdict(table, undefined, { excludedColumns });

  test('the key column excluded: a row moved to another key is still found', async () => {
    await rig.q(1, 'UPDATE moved SET id = 1000 WHERE id = 6');
    const v = await verdict('moved', ['id', 'stamp']);
    expect(v.differences.map((d) => [d.key[0], d.kind])).toEqual([
      ['6', 'missing'],
      ['1000', 'extra'],
    ]);
  });

  test('every column excluded: a row replaced by another is still found', async () => {
    await rig.q(1, "UPDATE bare SET id = 1000, v = 'other' WHERE id = 6");
    const v = await verdict('bare', ['id', 'v']);
    expect(v.differences.map((d) => [d.key[0], d.kind])).toEqual([
      ['6', 'missing'],
      ['1000', 'extra'],
    ]);
  });
});

// A primary key with INCLUDE columns: pg_index.indkey lists the included columns after the key's own
// (indnkeyatts of them are the key). Read as key columns, the key's histogram bounds (one value each)
// leave the included column's bound NULL, and a row whose key equals a bound compares NULL with both
// of its segments' ends: it is in no segment on either side.
describe('a primary key with INCLUDE columns', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'final-breaks-include',
      `CREATE TABLE cover (id int, v int NOT NULL, w text NOT NULL, PRIMARY KEY (id) INCLUDE (v));
        INSERT INTO cover SELECT g, g, 'w' FROM generate_series(1, 10000) g;
        ANALYZE;`,
    );
  }, 60_000);
  afterAll(() => rig?.stop());

  test('a row whose key is a segment bound is compared', async () => {
    const [s] = await rig.shapes('cover');
    expect(s.key).toEqual(['id']);
    const { rows } = await rig.clients[0].query<{ h: string[] }>("SELECT histogram_bounds::text::text[] AS h FROM pg_stats WHERE tablename = 'cover' AND attname = 'id'");
    const bound = rows[0].h[Math.floor(rows[0].h.length / 2)];
    await rig.q(1, `UPDATE cover SET w = 'changed' WHERE id = ${bound}`);
    const v = await rig.verdict('cover');
    expect(v.rowsSource).toBe(10000);
    expect(v.differences).toEqual([{ key: [bound], kind: 'different', columns: ['w'] }]);
  });
});

// On a live source, a segment whose counts differ at the checksum (the target a row behind) and agree
// by the time its keys are fetched (the target caught up) names no key. The fail-closed rule made that a
// problem (a persistent difference) with no second look; such a range is now compared again once the
// target has caught up, and only a range that still differs with no key to name is a problem.
describe('a live source: counts that differed for a moment', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'final-breaks-live',
      `CREATE TABLE hot (id int PRIMARY KEY, v text NOT NULL);
        INSERT INTO hot SELECT g, 'v' || g FROM generate_series(1, 20) g;
        ANALYZE;`,
    );
  }, 60_000);
  afterAll(() => rig?.stop());

  test('a row inserted on the source reaches the target between the checksum and the fetch: no persistent problem', async () => {
    await rig.q(0, "INSERT INTO hot VALUES (21, 'v21')");
    let caughtUp = false;
    // The target's connection, catching up (applying row 21) just before its first key fetch.
    const target = rig.wrappedTarget(async (sql, run) => {
      if (!caughtUp && /AS k, .*AS h FROM/s.test(sql) && !/AS c FROM/.test(sql)) {
        caughtUp = true;
        await rig.q(1, "INSERT INTO hot VALUES (21, 'v21')");
      }
      return run();
    });
    const v = await rig.verdict('hot', undefined, { target });
    expect(caughtUp).toBe(true);
    expect(v.differences).toEqual([]);
    expect(v.problems).toEqual([]);
  });

  // Fail closed: a range whose checksums keep differing while its rows, fetched, name no key (here a
  // target connection that misreports its segment checksums, as a fault would) is a problem.
  test('a range that differs at both looks and names no key is a problem', async () => {
    let settled = 0;
    const target = rig.wrappedTarget(async (sql, run) => {
      const res = await run();
      return /count\(\*\) AS n/.test(sql) ? { rows: (res.rows as { h: string }[]).map((r) => ({ ...r, h: `9${r.h}` })) } : res;
    });
    const v = await rig.verdict('hot', async () => settled++, { target });
    expect(settled).toBe(1);
    expect(v.differences).toEqual([]);
    expect(v.problems).toEqual(['keys from the first key to the last: 21 rows on the source, 21 on the target, checksums different, and no key could be named']);
  });
});

// Two waits for the target in one table: one for the keys the first pass found, one for the keys a
// range looked at again names. The second's answer replaced the first's, so a first wait that timed out
// (its keys kept as differences, fail closed) lost the reason the message gives for them.
describe('two waits for the target in one table', () => {
  let rig: VerifyDatabases;

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'final-breaks-two-waits',
      `CREATE TABLE twice (id int PRIMARY KEY, v text NOT NULL);
        INSERT INTO twice SELECT g, 'v' || g FROM generate_series(1, 20000) g;
        ANALYZE;`,
    );
  }, 60_000);
  afterAll(() => rig?.stop());

  test('a wait that timed out keeps its reason when a later wait succeeds', async () => {
    await rig.q(1, "UPDATE twice SET v = 'wrong' WHERE id = 5");
    let waits = 0;
    // Until the first wait, the target misreports its checksums (a fault, or rows that came and went): the
    // ranges name no key then and are looked at again after the wait.
    const target = rig.wrappedTarget(async (sql, run) => {
      const res = await run();
      if (!/count\(\*\) AS n/.test(sql) || waits > 0) return res;
      return { rows: (res.rows as { h: string }[]).map((r) => ({ ...r, h: `9${r.h}` })) };
    });
    const reasons = ['the target did not show heartbeat 7 within 120 s', undefined];
    const v = await rig.verdict('twice', undefined, { target, settle: async () => {
      // While the first wait runs, a row in the range looked at again goes wrong on the target.
      if (waits === 0) await rig.q(1, "UPDATE twice SET v = 'also wrong' WHERE id = 19999");
      return reasons[waits++];
    } });
    expect(waits).toBe(2);
    expect(v.differences).toEqual([
      { key: ['5'], kind: 'different', columns: ['v'] },
      { key: ['19999'], kind: 'different', columns: ['v'] },
    ]);
    expect(v.unsettled).toBe('the target did not show heartbeat 7 within 120 s');
  });
});
