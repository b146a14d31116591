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
});
