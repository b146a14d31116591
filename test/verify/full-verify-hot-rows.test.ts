import { Client } from 'pg';
import { DEFAULT_SEGMENTS } from '../../src/verify/full/keyed-table-diff';
import { Limiter } from '../../src/verify/full/limiter';
import { readTableShapes } from '../../src/verify/full/table-shape';
import { verifyTable, type TableVerdict } from '../../src/verify/full/table-verdict';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

// A live source keeps changing its hot rows. A row the target lost must stay a persistent
// difference even when the source changed it during the lag window: once the target has caught up
// past the first look, a row the source had then and still has must be on the target.
describe('a live source: rows that changed during the lag window', () => {
  const folder = new ClusterFolder();
  let cluster: PgCluster;
  const clients: Client[] = [];

  beforeAll(async () => {
    cluster = await PgCluster.fresh(folder, 'hot');
    for (const db of ['src', 'tgt']) {
      await cluster.sql(`CREATE DATABASE ${db}`);
      await cluster.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(12,2) NOT NULL); INSERT INTO accounts SELECT g, g FROM generate_series(1, 5000) g; ANALYZE accounts", [], db);
      await cluster.sql("CREATE TABLE events (msg text); INSERT INTO events SELECT 'e' || g FROM generate_series(1, 500) g; ANALYZE events", [], db);
    }
    for (const db of ['src', 'tgt']) {
      const c = new Client({ connectionString: cluster.url(db) });
      await c.connect();
      clients.push(c);
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await cluster?.stop('immediate');
    folder.remove();
  });

  /** One table's verdict; `duringLagWindow` runs between the first look and the second (as replication would catch up). */
  async function verdict(duringLagWindow: () => Promise<void>, table = 'accounts'): Promise<TableVerdict> {
    const [s, t] = await Promise.all(clients.map(async (c) => (await readTableShapes(c)).find((x) => x.name === table)!));
    return verifyTable(s, t, {
      source: { db: clients[0], limit: new Limiter(2) },
      target: { db: clients[1], limit: new Limiter(2) },
      segments: DEFAULT_SEGMENTS,
      excludedColumns: [],
      settle: async () => {
        await duringLagWindow();
        return undefined;
      },
      onRows: () => undefined,
    });
  }
  const q = (db: 0 | 1, sql: string) => clients[db].query(sql);

  test('lost on the target while the source updates it: persistent, not in flight', async () => {
    await q(1, 'DELETE FROM accounts WHERE id = 42');
    const v = await verdict(() => q(0, 'UPDATE accounts SET balance = balance + 1 WHERE id = 42').then(() => undefined));
    expect(v.differences).toEqual([{ key: ['42'], kind: 'missing' }]);
    expect(v.inFlight).toEqual([]);
    await q(1, 'INSERT INTO accounts VALUES (42, 43)');
  });

  test('different on the target while the source stays put and the target keeps changing: persistent', async () => {
    await q(1, 'UPDATE accounts SET balance = -1 WHERE id = 77');
    const v = await verdict(() => q(1, 'UPDATE accounts SET balance = -2 WHERE id = 77').then(() => undefined));
    expect(v.differences).toEqual([{ key: ['77'], kind: 'different', columns: ['balance'] }]);
    expect(v.inFlight).toEqual([]);
    await q(1, 'UPDATE accounts SET balance = 77 WHERE id = 77');
  });

  test('a source change the target has not applied yet, or has applied by the second look: in flight', async () => {
    await q(0, 'UPDATE accounts SET balance = 1000 WHERE id IN (100, 200)');
    // 100: the target catches up during the lag window. 200: the source changes it again meanwhile.
    const v = await verdict(async () => {
      await q(1, 'UPDATE accounts SET balance = 1000 WHERE id = 100');
      await q(0, 'UPDATE accounts SET balance = 2000 WHERE id = 200');
    });
    expect(v.differences).toEqual([]);
    expect(v.inFlight.map((d) => d.key[0]).sort()).toEqual(['100', '200']);
    await q(1, 'UPDATE accounts SET balance = 2000 WHERE id = 200');
  });

  test('a table without a primary key that lost a row while the source keeps writing to it: neither equal nor in flight, unconfirmed', async () => {
    await q(1, "DELETE FROM events WHERE msg = 'e7'");
    const v = await verdict(() => q(0, "INSERT INTO events VALUES ('e501')").then(() => undefined), 'events');
    expect(v.compared).toBe('whole');
    expect(v.wholeDiffers).toBeFalsy();
    expect(v.unconfirmed).toBe(true);
    expect(v.wholeInFlight).toBe('still changing on the source: compare it again when writes stop');
    await q(1, "INSERT INTO events VALUES ('e7'), ('e501')");
  });
});
