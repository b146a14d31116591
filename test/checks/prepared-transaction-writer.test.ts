import { Client } from 'pg';
import { terminateWriters } from '../../src/checks/terminate-writers';
import { waitForWriters } from '../../src/checks/wait-for-writers';
import { openDatabase, type Database } from '../../src/db/database';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

describe('a prepared transaction on the source is a writer', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let bot: Database;
  const clients: Client[] = [];

  async function session(app: string): Promise<Client> {
    const c = new Client({ connectionString: source.url('app', 'job', 'pw'), application_name: app });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'escapes-source');
    await source.sql('ALTER SYSTEM SET max_prepared_transactions = 5');
    await source.stop();
    await source.start();
    await source.sql('CREATE DATABASE app');
    await source.sql(`CREATE ROLE bot_plain LOGIN PASSWORD 'pw'; GRANT pg_read_all_stats TO bot_plain; CREATE ROLE job LOGIN PASSWORD 'pw'`);
    await source.sql('CREATE TABLE stray (id serial PRIMARY KEY); GRANT ALL ON stray, stray_id_seq TO job', [], 'app');
    bot = openDatabase(source.url('app', 'bot_plain', 'pw'));
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await bot?.close();
    await source?.stop();
    folder.remove();
  });

  test('one left by a session that disconnected blocks the fence (its writes commit later), Terminate cannot end it and says how, resolved it no longer blocks', async () => {
    const c = await session('two-phase');
    await c.query('BEGIN');
    await c.query('INSERT INTO stray DEFAULT VALUES');
    await c.query("PREPARE TRANSACTION 'batch-7'");
    await c.end();
    const wait = await waitForWriters(bot, { wholeCluster: false, timeoutMs: 1500 });
    expect(wait.blocking).toHaveLength(1);
    const [w] = wait.blocking;
    expect(w).toMatchObject({ preparedGid: 'batch-7', role: 'job', database: 'app' });
    expect(w.cannotTerminate).toContain("ROLLBACK PREPARED 'batch-7'");
    // Terminate cannot end it and says so; it never signals pid 0 or any session.
    const [outcome] = await terminateWriters(bot, [w]);
    expect(outcome).toMatchObject({ ended: false });
    expect(outcome.result).toContain('COMMIT PREPARED');
    // Resolved by the team, it no longer blocks.
    await source.sql("ROLLBACK PREPARED 'batch-7'", [], 'app');
    expect((await waitForWriters(bot, { wholeCluster: false, timeoutMs: 1500 })).blocking).toHaveLength(0);
  }, 30_000);
});
