import { SEED_ORDERS, startDatabases, type RehearsalDatabases } from '../../rehearsal/databases';
import { LostRows } from '../../rehearsal/lost-rows';

/** The "lose rows on Aurora" switch: on deletes three seeded orders on the target and names them; off puts back exactly what the source has. */
describe('the rehearsal switch that loses rows on the target', () => {
  let db: RehearsalDatabases;
  const ordersAsText = 'SELECT id::text, customer_id::text, amount_cents::text, created_at::text FROM orders WHERE id = ANY($1::bigint[]) ORDER BY id';

  beforeAll(async () => {
    db = await startDatabases(() => undefined);
    // Aurora as DMS leaves it after the full load: the source's orders, row for row.
    const rows = await db.ec2.sql<Record<string, string>>(ordersAsText.replace(' WHERE id = ANY($1::bigint[])', ''), [], 'app');
    await db.aurora.sql(
      'INSERT INTO orders SELECT * FROM unnest($1::text[]::bigint[], $2::text[]::bigint[], $3::text[]::int[], $4::text[]::timestamptz[])',
      ['id', 'customer_id', 'amount_cents', 'created_at'].map((col) => rows.map((r) => r[col])),
      'app',
    );
  }, 120_000);

  afterAll(async () => {
    if (!db) return;
    await Promise.all([db.aurora, db.ec2, db.heroku].map((c) => c.stop('immediate')));
    db.folder.remove();
  });

  test('on: three seeded orders are gone from the target only, and named; off: they are back as the source has them', async () => {
    const lost = new LostRows(db.ec2, db.aurora);
    expect(lost.describe()).toBe('–');
    await lost.lose();
    const ids = lost.ids;
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids.every((id) => id >= 1 && id <= SEED_ORDERS)).toBe(true);
    expect(lost.describe()).toBe(`orders id ${ids.join(', ')} deleted on Aurora`);
    expect(await db.aurora.sql(ordersAsText, [ids], 'app')).toEqual([]);
    const onSource = await db.ec2.sql(ordersAsText, [ids], 'app');
    expect(onSource).toHaveLength(3);
    const [{ n }] = await db.aurora.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app');
    expect(Number(n)).toBe(SEED_ORDERS - 3);

    await lost.restore();
    expect(lost.ids).toEqual([]);
    expect(lost.describe()).toBe('–');
    // Every column as the source has it, the timestamps' microseconds included.
    expect(await db.aurora.sql(ordersAsText, [ids], 'app')).toEqual(onSource);
  }, 60_000);
});
