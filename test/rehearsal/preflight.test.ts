import { spawnRehearsal } from './rehearsal-process';

describe('npm run rehearse on a machine that lacks something', () => {
  test('says exactly what to install, and starts nothing', async () => {
    // redis-server and the PostgreSQL binaries pointed where there are none.
    const child = spawnRehearsal({ REDIS_SERVER_BIN: '/nonexistent/redis-server', PG_BIN: '/nonexistent/postgresql/bin', REHEARSAL_PORT: '0' });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(out).toContain('The rehearsal needs:');
    expect(out).toContain('redis-server: apt-get install redis-server (Debian/Ubuntu), brew install redis (macOS), or set REDIS_SERVER_BIN');
    expect(out).toContain('the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): apt-get install postgresql');
    expect(out).not.toContain('starting');
  });
});
