import { readArchiver, type ArchiverState } from '../../src/checks/physical-probes';
import { openDatabase, type Database } from '../../src/db/database';
import { archivingFinding, standbyFinding } from '../../src/cutover/steps/post-cutover-checks';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

const working: ArchiverState = { mode: 'on', command: 'cp %p /archive/%f', archived: 3, failed: 0, lastArchivedAt: 2000, lastFailedAt: null };

describe('post-cutover checks: a doubtful state is a warning with its reason, never a ✅', () => {
  test('archiving off, failing, or with nothing archived yet warns; working archiving does not', () => {
    expect(archivingFinding(working).warning).toBeUndefined();
    expect(archivingFinding({ ...working, mode: 'off' }).warning).toMatch(/WAL archiving is off/);
    expect(archivingFinding({ ...working, failed: 2, lastFailedAt: 3000 }).warning).toMatch(/failing.*latest attempt failed \(2 failures/);
    expect(archivingFinding({ ...working, failed: 2, lastFailedAt: 1000 }).warning).toBeUndefined();
    expect(archivingFinding({ ...working, archived: 0, lastArchivedAt: null }).warning).toMatch(/nothing has been archived yet/);
    // A role that may not see archive_command (null) is judged by what was archived.
    expect(archivingFinding({ ...working, command: null }).warning).toBeUndefined();
  });

  test('no standby and hidden standbys warn', () => {
    expect(standbyFinding([]).warning).toMatch(/no standby streams/);
    expect(standbyFinding('hidden').warning).toMatch(/lacks pg_monitor/);
    expect(standbyFinding([{ name: 's1' } as never]).warning).toBeUndefined();
  });

  describe('on a real primary', () => {
    const folder = new ClusterFolder();
    let primary: PgCluster;
    let bot: Database;
    let plain: Database;
    beforeAll(async () => {
      primary = await PgCluster.primary(folder, 'archiving');
      await primary.sql("CREATE ROLE plain_bot LOGIN PASSWORD 'pw'");
      bot = openDatabase(primary.url());
      plain = openDatabase(primary.url('postgres', 'plain_bot', 'pw'));
    });
    afterAll(async () => {
      await Promise.all([bot.close(), plain.close()]);
      await primary.stop('immediate');
      folder.remove();
    });

    test('archive_mode on with an empty archive_command is a warning, not "0 archived, 0 failed" ✅', async () => {
      await primary.sql('CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 1000)');
      const archived = await eventually(async () => {
        await primary.sql('INSERT INTO t SELECT generate_series(1, 100)');
        const a = await readArchiver(bot).catch((e: Error) => {
          throw new Error(`readArchiver: ${e.message}`);
        });
        return a.lastArchivedAt !== null ? a : undefined;
      }, 15_000, 'a segment archived');
      expect(archived.command).toMatch(/^test ! -f .* && cp %p /);
      expect(archivingFinding(archived).warning).toBeUndefined();

      await primary.sql("ALTER SYSTEM SET archive_command = ''");
      await primary.sql('SELECT pg_reload_conf()');
      const emptied = await eventually(async () => {
        const a = await readArchiver(bot);
        return a.command === '' ? a : undefined;
      }, 5000, 'the reload');
      expect(archivingFinding(emptied)).toEqual({ seen: 'archive_command empty', warning: expect.stringMatching(/archive_mode is on but archive_command .* is empty/) });
    });

    test('a plain role reads the archiver too (pg_settings shows it what it may see; never an error)', async () => {
      const a = await readArchiver(plain);
      expect(a.mode).toBe('on');
      expect(a.command === null || typeof a.command === 'string').toBe(true);
    });
  });
});
