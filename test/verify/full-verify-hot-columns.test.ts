import { Client } from 'pg';
import { DEFAULT_SEGMENTS } from '../../src/verify/full/keyed-table-diff';
import { Limiter } from '../../src/verify/full/limiter';
import { readTableShapes } from '../../src/verify/full/table-shape';
import { verifyTable, type TableVerdict } from '../../src/verify/full/table-verdict';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

// A hot row whose target copy is wrong in a column the source never touches (a target trigger, an
// unchanged TOAST value kept by the apply, a lost update of that column): the source keeps
// updating the row's other columns and the target applies those. Its wrong column must be a
// persistent difference, not "in flight" on every run.
describe('a live source: a hot row with a column the source leaves alone', () => {
  const folder = new ClusterFolder();
  let cluster: PgCluster;
  const clients: Client[] = [];

  beforeAll(async () => {
    cluster = await PgCluster.fresh(folder, 'hotcols');
    for (const db of ['src', 'tgt']) {
      await cluster.sql(`CREATE DATABASE ${db}`);
      await cluster.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(12,2) NOT NULL, note text); INSERT INTO accounts SELECT g, g, 'n' || g FROM generate_series(1, 5000) g; ANALYZE accounts", [], db);
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

  // Each test starts from identical tables, whatever the one before left.
  afterEach(async () => {
    for (const c of clients) await c.query("UPDATE accounts SET balance = id, note = 'n' || id WHERE balance <> id OR note IS DISTINCT FROM 'n' || id");
  });

  async function verdict(duringLagWindow: () => Promise<void>): Promise<TableVerdict> {
    const [s, t] = await Promise.all(clients.map(async (c) => (await readTableShapes(c)).find((x) => x.name === 'accounts')!));
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

  test('the source updates the balance, the target applies it and keeps its wrong note: the note is a persistent difference', async () => {
    await q(1, "UPDATE accounts SET note = 'wrong' WHERE id = 42");
    // Replication of the source's update: only the changed column reaches the target's row.
    const v = await verdict(async () => {
      await q(0, 'UPDATE accounts SET balance = balance + 1 WHERE id = 42');
      await q(1, 'UPDATE accounts SET balance = balance + 1 WHERE id = 42');
    });
    expect(v.differences).toEqual([{ key: ['42'], kind: 'different', columns: ['note'] }]);
    expect(v.inFlight).toEqual([]);
  });

  test('the column that differs is the one the source changed and the target has not applied yet: in flight', async () => {
    await q(0, "UPDATE accounts SET note = 'new' WHERE id = 43");
    // The source changes it again during the lag window (the target has the first change only, later).
    const v = await verdict(async () => {
      await q(0, "UPDATE accounts SET note = 'newer' WHERE id = 43");
    });
    expect(v.differences).toEqual([]);
    expect(v.inFlight).toEqual([{ key: ['43'], kind: 'different', columns: ['note'] }]);
  });

  test('one column still on its way and another wrong on the target: persistent, naming the differing columns', async () => {
    await q(1, "UPDATE accounts SET note = 'wrong' WHERE id = 44");
    const v = await verdict(async () => {
      await q(0, 'UPDATE accounts SET balance = 9999 WHERE id = 44');
    });
    expect(v.differences).toEqual([{ key: ['44'], kind: 'different', columns: ['balance', 'note'] }]);
    expect(v.inFlight).toEqual([]);
  });
});
