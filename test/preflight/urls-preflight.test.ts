import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { freePort } from '../support/free-port';
import { ClusterFolder, PgCluster, createPlainRole } from '../support/pg-cluster';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

/** Each hop's target has one thing wrong with its URLs; the source is fine. */
describe("preflight of the plan's URLs: set, reachable within the plan's timeouts, and the app's own", () => {
  const folder = new ClusterFolder();
  let db: PgCluster;
  let silent: Server;
  const sockets: Socket[] = [];
  let h: BotHarness;
  let asker = 0;
  const preflight = (hop: string) => h.command(`U0PF${++asker}`, `preflight ${hop}`);

  beforeAll(async () => {
    db = await PgCluster.fresh(folder, 'db');
    const botUrl = await createPlainRole(db, 'cutover', 'bot-secret-pw');
    await db.sql("CREATE ROLE app_user LOGIN PASSWORD 'app-secret-pw'");
    // Accepts connections and never answers: a database behind a black hole.
    silent = createServer((s) => void sockets.push(s));
    const silentPort = await freePort();
    await new Promise<void>((r) => silent.listen(silentPort, '127.0.0.1', r));
    h = await BotHarness.start({
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases:
  src: { url_env: SRC_URL, app_url_env: SRC_APP_URL }
  unset: { url_env: UNSET_URL, app_url_env: UNSET_APP_URL }
  gone: { url_env: GONE_URL, app_url_env: GONE_APP_URL }
  noapp: { url_env: NOAPP_URL }
hops:
  - { id: hop-unset, method: logical, source: src, target: unset, subscription: sub }
  - { id: hop-gone, method: logical, source: src, target: gone, subscription: sub }
  - { id: hop-noapp, method: logical, source: src, target: noapp, subscription: sub }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
database_timeouts: { connect_timeout_ms: 1000 }
`),
      databaseUrls: {
        SRC_URL: botUrl,
        SRC_APP_URL: db.url('app', 'app_user', 'app-secret-pw'),
        UNSET_APP_URL: db.url('app', 'app_user', 'app-secret-pw'),
        GONE_URL: `postgres://cutover:gone-secret-pw@127.0.0.1:${silentPort}/app`,
        GONE_APP_URL: db.url('app', 'app_user', 'app-secret-pw'),
        NOAPP_URL: botUrl,
      },
    });
  });
  afterAll(async () => {
    await h.stop();
    for (const s of sockets) s.destroy();
    silent.close();
    await db.stop('immediate');
    folder.remove();
  });

  test("a url_env that is not set is ❌, named, with the fix", async () => {
    const text = await preflight('hop-unset');
    expect(text).toMatch(/:x: \*Bot's URL for target unset \(UNSET_URL\):\* not set — UNSET_URL is not in the bot's environment/);
    expect(text).toContain("set UNSET_URL in the bot's environment");
    expect(text).toMatch(/:white_check_mark: \*Bot's URL for source src \(SRC_URL\):\* connects as cutover/);
  });

  test('a url_env whose database never answers is ❌ unreachable within the connect timeout, and neither URL nor password is shown', async () => {
    const started = Date.now();
    const text = await preflight('hop-gone');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(text).toMatch(/:x: \*Bot's URL for target gone \(GONE_URL\):\* unreachable — .*\(within 1000 ms\)/);
    expect(text).toContain('check GONE_URL: host, port, database, role and password');
    expect(text).not.toMatch(/secret-pw|postgres:\/\//);
  });

  test('a database without app_url_env is ❌: the cutover will refuse, and the fix is the plan line', async () => {
    const text = await preflight('hop-noapp');
    expect(text).toMatch(/:x: \*App's URL for target noapp \(app_url_env\):\* not in the plan — databases\.noapp has no app_url_env: the cutover will refuse to run/);
    expect(text).toContain('app_url_env: NOAPP_APP_URL');
    expect(text).toMatch(/:white_check_mark: \*App's URL for source src \(SRC_APP_URL\):\* connects as app_user/);
  });
});
