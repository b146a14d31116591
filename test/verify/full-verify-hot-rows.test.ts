import { VerifyDatabases } from '../support/verify-databases';

// A live source keeps changing its hot rows. Once the target has caught up past the first look, a
// row (or a column) the source left alone must be on the target as it is, and a row the source had
// at both looks must be there: those differences are persistent, even when the source changed the
// row's other columns meanwhile. Only what the source changed may still be on its way (in flight).
describe('a live source: rows that changed during the lag window', () => {
  let rig: VerifyDatabases;
  const q = (side: 0 | 1, sql: string) => rig.q(side, sql);

  beforeAll(async () => {
    rig = await VerifyDatabases.start(
      'hot',
      `CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(12,2) NOT NULL, note text);
       INSERT INTO accounts SELECT g, g, 'n' || g FROM generate_series(1, 5000) g;
       CREATE TABLE events (msg text); INSERT INTO events SELECT 'e' || g FROM generate_series(1, 500) g;
       ANALYZE`,
    );
  }, 60_000);
  afterAll(() => rig?.stop());

  // Each test starts from identical tables, whatever the one before left.
  afterEach(async () => {
    for (const side of [0, 1] as const) {
      await q(side, `DELETE FROM accounts WHERE id > 5000;
        INSERT INTO accounts SELECT g, g, 'n' || g FROM generate_series(1, 5000) g ON CONFLICT (id) DO UPDATE SET balance = excluded.balance, note = excluded.note;
        DELETE FROM events; INSERT INTO events SELECT 'e' || g FROM generate_series(1, 500) g`);
    }
  });

  test('lost on the target while the source updates it: persistent, not in flight', async () => {
    await q(1, 'DELETE FROM accounts WHERE id = 42');
    const v = await rig.verdict('accounts', () => q(0, 'UPDATE accounts SET balance = balance + 1 WHERE id = 42'));
    expect(v.differences).toEqual([{ key: ['42'], kind: 'missing' }]);
    expect(v.inFlight).toEqual([]);
  });

  test('different on the target while the source stays put and the target keeps changing: persistent', async () => {
    await q(1, 'UPDATE accounts SET balance = -1 WHERE id = 77');
    const v = await rig.verdict('accounts', () => q(1, 'UPDATE accounts SET balance = -2 WHERE id = 77'));
    expect(v.differences).toEqual([{ key: ['77'], kind: 'different', columns: ['balance'] }]);
    expect(v.inFlight).toEqual([]);
  });

  test('a source change the target has not applied yet, or has applied by the second look: in flight', async () => {
    await q(0, 'UPDATE accounts SET balance = 1000 WHERE id IN (100, 200)');
    // 100: the target catches up during the lag window. 200: the source changes it again meanwhile.
    const v = await rig.verdict('accounts', async () => {
      await q(1, 'UPDATE accounts SET balance = 1000 WHERE id = 100');
      await q(0, 'UPDATE accounts SET balance = 2000 WHERE id = 200');
    });
    expect(v.differences).toEqual([]);
    expect(v.inFlight.map((d) => d.key[0]).sort()).toEqual(['100', '200']);
  });

  // A hot row whose target copy is wrong in a column the source never touches (a target trigger, a
  // lost update of that column): the source keeps updating the other columns and the target applies those.
  test('the source updates the balance, the target applies it and keeps its wrong note: the note is a persistent difference', async () => {
    await q(1, "UPDATE accounts SET note = 'wrong' WHERE id = 42");
    const v = await rig.verdict('accounts', async () => {
      await q(0, 'UPDATE accounts SET balance = balance + 1 WHERE id = 42');
      await q(1, 'UPDATE accounts SET balance = balance + 1 WHERE id = 42');
    });
    expect(v.differences).toEqual([{ key: ['42'], kind: 'different', columns: ['note'] }]);
    expect(v.inFlight).toEqual([]);
  });

  test('the column that differs is the one the source changed and the target has not applied yet: in flight', async () => {
    await q(0, "UPDATE accounts SET note = 'new' WHERE id = 43");
    const v = await rig.verdict('accounts', () => q(0, "UPDATE accounts SET note = 'newer' WHERE id = 43"));
    expect(v.differences).toEqual([]);
    expect(v.inFlight).toEqual([{ key: ['43'], kind: 'different', columns: ['note'] }]);
  });

  test('one column still on its way and another wrong on the target: persistent, naming the differing columns', async () => {
    await q(1, "UPDATE accounts SET note = 'wrong' WHERE id = 44");
    const v = await rig.verdict('accounts', () => q(0, 'UPDATE accounts SET balance = 9999 WHERE id = 44'));
    expect(v.differences).toEqual([{ key: ['44'], kind: 'different', columns: ['balance', 'note'] }]);
    expect(v.inFlight).toEqual([]);
  });

  test('a table without a primary key that lost a row while the source keeps writing to it: neither equal nor in flight, unconfirmed', async () => {
    await q(1, "DELETE FROM events WHERE msg = 'e7'");
    const v = await rig.verdict('events', () => q(0, "INSERT INTO events VALUES ('e501')"));
    expect(v.compared).toBe('whole');
    expect(v.wholeDiffers).toBeFalsy();
    expect(v.unconfirmed).toBe(true);
    expect(v.wholeInFlight).toBe('still changing on the source: compare it again when writes stop');
  });
});
