import { Client } from 'pg';
import { lookAtSourceWriters } from '../../src/checks/source-writers';
import { waitForWriters } from '../../src/checks/wait-for-writers';
import { openDatabase, type Database } from '../../src/db/database';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

describe('writers that look idle to the writers check', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let bot: Database;
  const clients: Client[] = [];
  let stop = false;

  async function session(app: string, role = 'job'): Promise<Client> {
    const c = new Client({ connectionString: source.url('app', role, 'pw'), application_name: app });
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
    await source.sql(`CREATE ROLE bot_plain LOGIN PASSWORD 'pw'; GRANT pg_read_all_stats TO bot_plain; CREATE ROLE job LOGIN PASSWORD 'pw'; CREATE ROLE bi LOGIN PASSWORD 'pw'; CREATE ROLE exporters NOLOGIN; CREATE ROLE exporter LOGIN PASSWORD 'pw' NOINHERIT IN ROLE exporters`);
    await source.sql('CREATE TABLE stray (id serial PRIMARY KEY); GRANT ALL ON stray, stray_id_seq TO job; GRANT SELECT ON stray TO bi, exporter; GRANT UPDATE ON stray TO exporters', [], 'app');
    bot = openDatabase(source.url('app', 'bot_plain', 'pw'));
  }, 120_000);
  afterAll(async () => {
    stop = true;
    for (const c of clients) await c.end().catch(() => undefined);
    await bot?.close();
    await source?.stop();
    folder.remove();
  });

  test('a worker that writes, then waits in a read-only statement, writes again after the check said none', async () => {
    const worker = await session('queue-worker');
    const loop = (async () => {
      while (!stop) {
        await worker.query('INSERT INTO stray DEFAULT VALUES').catch(() => undefined);
        await worker.query('SELECT pg_sleep(1.5)').catch(() => undefined);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const wait = await waitForWriters(bot, { wholeCluster: false, timeoutMs: 3000 });
    stop = true;
    await loop;
    expect(wait.blocking.map((w) => w.application)).toContain('queue-worker');
  }, 30_000);

  test('whatever it does at that instant, a session counts when its role may write; one whose role may only read does not', async () => {
    const worker = await session('sleeping-worker');
    await worker.query('INSERT INTO stray DEFAULT VALUES');
    const sleeping = worker.query('SELECT pg_sleep(2)');
    const reader = await session('bi-dashboard', 'bi');
    await reader.query('SELECT count(*) FROM stray');
    // Through a role it may SET ROLE to, even without inheriting its privileges.
    const exporter = await session('nightly-export', 'exporter');
    await exporter.query('SELECT count(*) FROM stray');
    await new Promise((r) => setTimeout(r, 200));
    const { writers } = await lookAtSourceWriters(bot, { wholeCluster: false });
    const byApp = (app: string) => writers.find((w) => w.application === app);
    expect(byApp('sleeping-worker')?.why).toMatch(/^its role may write \(INSERT on public\.stray\); active for [\d.]+ s: SELECT pg_sleep\(2\)$/);
    expect(byApp('nightly-export')?.why).toMatch(/^its role may write \(UPDATE on public\.stray as exporters\); idle for [\d.]+ s: SELECT count\(\*\) FROM stray$/);
    expect(byApp('bi-dashboard')).toBeUndefined();
    await sleeping;
  }, 30_000);

  test('a prepared transaction left by a session that disconnected still holds writes that commit later', async () => {
    const c = await session('two-phase');
    await c.query('BEGIN');
    await c.query('INSERT INTO stray DEFAULT VALUES');
    await c.query("PREPARE TRANSACTION 'batch-7'");
    await c.end();
    const wait = await waitForWriters(bot, { wholeCluster: false, timeoutMs: 1500 });
    expect(wait.blocking.map((w) => w.preparedGid)).toContain('batch-7');
  }, 30_000);
});
