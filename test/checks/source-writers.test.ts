import { Client } from 'pg';
import { isReadOnlyStatement } from '../../src/checks/read-only-statement';
import { lookAtSourceWriters, type SourceWriter } from '../../src/checks/source-writers';
import { terminateWriters } from '../../src/checks/terminate-writers';
import { waitForWriters } from '../../src/checks/wait-for-writers';
import { openDatabase, type Database } from '../../src/db/database';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

describe('which statements only read', () => {
  test.each([
    ['SELECT * FROM orders WHERE id = $1', true],
    ['/* app:web */ select count(*) from orders', true],
    ["SELECT 'insert into x' AS note", true],
    ['SHOW statement_timeout', true],
    ['ROLLBACK', true],
    ['', true],
    ['INSERT INTO orders DEFAULT VALUES', false],
    ['WITH moved AS (DELETE FROM a RETURNING *) SELECT * FROM moved', false],
    ['SELECT * FROM orders FOR UPDATE', false],
    ["SELECT nextval('invoice_no')", false],
    ['SELECT * INTO copy FROM orders', false],
    ['COMMIT', false],
    ['BEGIN', false],
    ['DO $$ BEGIN PERFORM 1; END $$', false],
    ['EXECUTE stmt_7', false],
  ])('%s → read-only %s', (sql, readOnly) => {
    expect(isReadOnlyStatement(sql)).toBe(readOnly);
  });
});

describe('the sessions on a source that can still write, as a plain bot role sees them', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let bot: Database;
  let blind: Database;
  const clients = new Map<string, Client>();

  /** A session of `role` (named `app`) that ran `sql` and stays connected. */
  async function session(role: string, app: string, ...sql: string[]): Promise<Client> {
    const c = new Client({ connectionString: source.url('app', role, 'pw'), application_name: app });
    c.on('error', () => undefined);
    await c.connect();
    for (const s of sql) await c.query(s);
    clients.set(`${role}/${app}`, c);
    return c;
  }
  const pidOf = async (c: Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const byApp = (writers: SourceWriter[], app: string) => writers.find((w) => w.application === app);

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'writers-source');
    await source.sql('CREATE DATABASE app');
    await source.sql(`
      CREATE ROLE bot_plain LOGIN PASSWORD 'pw'; GRANT pg_read_all_stats TO bot_plain;
      CREATE ROLE bot_blind LOGIN PASSWORD 'pw';
      CREATE ROLE job LOGIN PASSWORD 'pw';
      CREATE ROLE bi LOGIN PASSWORD 'pw';
      ALTER ROLE postgres PASSWORD 'pw';`);
    await source.sql('CREATE TABLE stray (id serial PRIMARY KEY); GRANT ALL ON stray, stray_id_seq TO job, bot_plain; GRANT SELECT ON stray TO bi', [], 'app');
    bot = openDatabase(source.url('app', 'bot_plain', 'pw'));
    blind = openDatabase(source.url('app', 'bot_blind', 'pw'));
  });
  afterAll(async () => {
    await Promise.all([...clients.values()].map((c) => c.end().catch(() => undefined)));
    await bot.close();
    await blind.close();
    await source.stop('immediate');
    folder.remove();
  });

  test('writers are listed with why; sessions whose role may only read, the bot and background processes are not; a look-alike of the bot under another role is', async () => {
    await session('job', 'open-transaction', 'BEGIN', 'INSERT INTO stray DEFAULT VALUES');
    await session('job', 'between-inserts', 'INSERT INTO stray DEFAULT VALUES');
    // A role that may only read (a BI tool with SELECT) is no writer, whatever it runs.
    await session('bi', 'reader', 'SELECT count(*) FROM stray');
    await session('postgres', 'admin-console', 'INSERT INTO stray DEFAULT VALUES');
    // Another bot process: the bot's role with its application_name. A job naming itself like the bot is still a job.
    await session('bot_plain', 'cutover-bot', 'INSERT INTO stray DEFAULT VALUES');
    await session('job', 'cutover-bot', 'INSERT INTO stray DEFAULT VALUES');

    const { writers } = await lookAtSourceWriters(bot, { wholeCluster: false });
    expect(writers.map((w) => `${w.role}/${w.application}`).sort()).toEqual(['job/between-inserts', 'job/cutover-bot', 'job/open-transaction', 'postgres/admin-console']);
    expect(byApp(writers, 'open-transaction')!.why).toMatch(/^in a transaction that wrote \(xid \d+\) for [\d.]+ s; last: INSERT INTO stray/);
    expect(byApp(writers, 'between-inserts')!.why).toMatch(/^idle for [\d.]+ s after a statement that writes: INSERT INTO stray DEFAULT VALUES$/);
    expect(byApp(writers, 'between-inserts')).toMatchObject({ client: '127.0.0.1', database: 'app', backendStart: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) });
    // What the bot's role may not end, and why, before anyone asks.
    expect(byApp(writers, 'between-inserts')!.cannotTerminate).toBe('the bot\'s role lacks pg_signal_backend (fix: GRANT pg_signal_backend TO bot_plain)');
    expect(byApp(writers, 'admin-console')!.cannotTerminate).toBe("a superuser's session: only a superuser may end it");
  });

  test('Terminate ends only what the role may end, names each refusal, and never a later session that reused the pid', async () => {
    const { writers } = await lookAtSourceWriters(bot, { wholeCluster: false });
    const job = byApp(writers, 'between-inserts')!;
    const admin = byApp(writers, 'admin-console')!;
    const refused = await terminateWriters(bot, [job, admin]);
    expect(refused[0]).toMatchObject({ pid: job.pid, ended: false, result: expect.stringMatching(/^not ended: must be a member of the role whose process is being terminated or member of pg_signal_backend — .*GRANT pg_signal_backend TO bot_plain/) });
    expect(refused[1]).toMatchObject({ pid: admin.pid, ended: false, result: expect.stringMatching(/^not ended: must be a superuser to terminate superuser process/) });

    await source.sql('GRANT pg_signal_backend TO bot_plain');
    // The same pid, but not the session that started then: left alone.
    const impostor = { ...job, backendStart: '2001-01-01T00:00:00.000000Z' };
    expect(await terminateWriters(bot, [impostor])).toEqual([{ pid: job.pid, backendStart: impostor.backendStart, ended: true, result: 'had already ended' }]);
    const target = clients.get('job/between-inserts')!;
    expect(await pidOf(target)).toBe(job.pid);

    expect(await terminateWriters(bot, [job])).toEqual([{ pid: job.pid, backendStart: job.backendStart, ended: true, result: 'ended' }]);
    await expect(target.query('SELECT 1')).rejects.toThrow();
    expect(byApp((await lookAtSourceWriters(bot, { wholeCluster: false })).writers, 'between-inserts')).toBeUndefined();
  });

  test('a role that may not read other sessions sees them as unknown, so they block; Terminate does not touch what it cannot name', async () => {
    // Hidden, even a session whose role may only read counts: what it does cannot be seen.
    const { writers } = await lookAtSourceWriters(blind, { wholeCluster: false });
    const hidden = writers.find((w) => w.application === 'reader')!;
    expect(hidden).toMatchObject({ role: 'bi', client: null, backendStart: undefined });
    expect(hidden.why).toMatch(/hidden from the bot's role \(it lacks pg_read_all_stats\)/);
    expect(writers.find((w) => w.application === 'open-transaction')!.why).toMatch(/^in a transaction that wrote \(xid \d+\); what it does is hidden/);
    expect(await terminateWriters(blind, [hidden])).toEqual([{ pid: hidden.pid, ended: false, result: expect.stringMatching(/^not touched: its details are hidden.*GRANT pg_read_all_stats/) }]);
  });

  test("the bot's connections carry its application_name even when the URL names another (the app's, say)", async () => {
    const named = openDatabase(`${source.url('app', 'bot_plain', 'pw')}?connect_timeout=5&application_name=acme-api`);
    try {
      expect((await named.query<{ name: string }>("SELECT current_setting('application_name') AS name")).rows[0].name).toBe('cutover-bot');
    } finally {
      await named.close();
    }
  });

  test('the wait ends as soon as the writers disconnect, and keeps a writer seen once until it does', async () => {
    const open = clients.get('job/open-transaction')!;
    setTimeout(() => void open.query('COMMIT'), 700);
    const admin = clients.get('postgres/admin-console')!;
    setTimeout(() => void admin.end(), 1200);
    const look = await lookAtSourceWriters(bot, { wholeCluster: false });
    const letThrough = new Set(look.writers.filter((w) => w.application === 'cutover-bot').map((w) => `${w.pid}@${w.backendStart}`));
    const wait = await waitForWriters(bot, { wholeCluster: false, timeoutMs: 3000, intervalMs: 200, letThrough });
    // The open transaction committed at 0.7 s, yet its session stays a writer (its last statement: COMMIT); the admin disconnected.
    expect(wait.ended.map((w) => w.application)).toEqual(['admin-console']);
    expect(wait.blocking.map((w) => w.application)).toEqual(['open-transaction']);
    expect(wait.blocking[0].why).toMatch(/after a statement that writes: COMMIT/);
    expect(wait.letThrough.map((w) => w.application)).toEqual(['cutover-bot']);
    expect(wait.tookMs).toBeGreaterThanOrEqual(3000);
    await open.end();
    const clean = await waitForWriters(bot, { wholeCluster: false, timeoutMs: 3000, intervalMs: 200, letThrough });
    expect(clean).toMatchObject({ blocking: [], looks: 2 });
  });
});
