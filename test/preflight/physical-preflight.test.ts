import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { RollbarStandIn } from '../support/health-stand-ins';
import { ClusterFolder, PgCluster, createPlainRole } from '../support/pg-cluster';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

/**
 * A physical hop (a streaming standby) whose bot role "cutover" has what the setup asks for; each
 * test takes one grant away on the primary, waits for the standby to replay it, and puts it back.
 */
describe('preflight of a physical hop, as the bot role on the primary and on the standby', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let rollbar: RollbarStandIn;
  let h: BotHarness;
  let asker = 0;
  // `preflight` is a costly command (once a minute per person): each call asks as someone else.
  const preflight = () => h.command(`U0PF${++asker}`, 'preflight');
  /** Runs `sql` on the primary and waits until the standby sees `check` true. */
  const onBothEnds = async (sql: string, check: string) => {
    await source.sql(sql, [], 'app');
    await eventually(async () => (await target.sql<{ ok: boolean }>(`SELECT (${check}) AS ok`, [], 'app'))[0].ok, 15_000, `the standby to replay: ${sql}`);
  };

  beforeAll(async () => {
    source = await PgCluster.primary(folder, 'heroku');
    const botUrl = await createPlainRole(source, 'cutover', 'bot-secret-pw');
    await source.sql("CREATE ROLE app_user LOGIN PASSWORD 'app-secret-pw'");
    await source.sql('GRANT pg_monitor, pg_signal_backend TO cutover');
    // Functions belong to a database: the grant is made in the one the bot's URL names.
    await source.sql('GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO cutover', [], 'app');
    await source.sql('SET ROLE cutover; CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)', [], 'app');
    target = await PgCluster.streamingStandby(source, 'ec2');
    rollbar = await new RollbarStandIn().start();
    rollbar.steady(2);
    const standbyUrl = botUrl.replace(`:${source.port}/`, `:${target.port}/`);
    h = await BotHarness.start({
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { heroku: { url_env: HEROKU_URL, app_url_env: HEROKU_APP_URL }, ec2: { url_env: EC2_URL, app_url_env: EC2_APP_URL } }
hops:
  - id: heroku-to-ec2
    method: physical
    source: heroku
    target: ec2
    app: { platform: heroku, name: acme-api, process_types: [web], config_var: DATABASE_URL, api_url: http://127.0.0.1:9 }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
health: { rollbar: { environment: production, base_url: ${rollbar.url} }, cache_seconds: 0 }
`),
      databaseUrls: { HEROKU_URL: botUrl, EC2_URL: standbyUrl, HEROKU_APP_URL: source.url('app', 'app_user', 'app-secret-pw'), EC2_APP_URL: target.url('app', 'app_user', 'app-secret-pw') },
      settings: { herokuApiToken: 'heroku-api-token-0123456789', rollbarReadToken: 'rollbar-read-token' },
    });
  });
  afterAll(async () => {
    await h.stop();
    await rollbar.stop();
    await target.stop('immediate');
    await source.stop('immediate');
    folder.remove();
  });

  test('with what the setup asks for, every check is ✅, on the primary and on the standby', async () => {
    const text = await preflight();
    expect(text).toContain('Everything *heroku-to-ec2* needs is in place');
    expect(text).not.toMatch(/:x:|:warning:/);
    expect(text).toMatch(/:white_check_mark: \*Monitoring views readable on heroku:\* pg_stat_archiver, pg_stat_activity, pg_stat_replication, pg_current_wal_lsn\(\)/);
    expect(text).toMatch(/:white_check_mark: \*Full visibility of pg_stat_wal_receiver, pg_stat_replication on ec2:\* pg_read_all_stats/);
    expect(text).toMatch(/:white_check_mark: \*May promote ec2 \(pg_promote\):\* EXECUTE on pg_promote granted/);
    expect(text).not.toMatch(/secret-pw|postgres:\/\//);
  });

  test('the bot role without monitoring visibility (no pg_monitor) is ❌ on both ends, with the GRANT and where to run it', async () => {
    await onBothEnds('REVOKE pg_monitor FROM cutover', "NOT pg_has_role('cutover', 'pg_monitor', 'MEMBER')");
    try {
      const text = await preflight();
      expect(text).toMatch(/:x: \*Full visibility of pg_stat_activity, pg_stat_replication on heroku:\* no pg_read_all_stats \(pg_monitor\)/);
      expect(text).toMatch(/:x: \*Full visibility of pg_stat_wal_receiver, pg_stat_replication on ec2:\* no pg_read_all_stats \(pg_monitor\)/);
      expect(text).toContain('GRANT pg_monitor TO "cutover";');
      // The standby is read-only: its grant is made on the primary.
      expect(text).toContain('on source heroku, in the database HEROKU_URL names (the standby ec2 is read-only; the grant reaches it through the WAL)');
    } finally {
      await onBothEnds('GRANT pg_monitor TO cutover', "pg_has_role('cutover', 'pg_monitor', 'MEMBER')");
    }
  });

  test('the target role without EXECUTE on pg_promote is ❌ with the GRANT, and the cutover is NO-GO in health and refused by `cutover`', async () => {
    const promoteGranted = "has_function_privilege('cutover', 'pg_promote(boolean, integer)', 'EXECUTE')";
    await onBothEnds('REVOKE EXECUTE ON FUNCTION pg_promote(boolean, integer) FROM cutover', `NOT ${promoteGranted}`);
    try {
      const text = await preflight();
      expect(text).toMatch(/:x: \*May promote ec2 \(pg_promote\):\* may not call pg_promote/);
      expect(text).toContain('GRANT EXECUTE ON FUNCTION pg_catalog.pg_promote(boolean, integer) TO "cutover";');

      const health = await h.command('U0ANYONE', 'health');
      expect(health).toMatch(/:no_entry: \*NO-GO\* for \*heroku-to-ec2\* — .*Preflight \(privileges and settings\)/);
      expect(health).toMatch(/\*Preflight \(privileges and settings\):\* 1 of \d+ missing — May promote ec2 \(pg_promote\)/);

      await h.command('U0OPS1', 'lock preflight says no');
      const refused = await h.command('U0OPS1', 'cutover');
      expect(refused).toContain('NO-GO');
      // The NO-GO report is announced in the channel; the lock's own announcement may land after it.
      await eventually(async () => h.slack.callsOf('chat.postMessage').some((c) => JSON.stringify(c.args).includes('Go / no-go') && JSON.stringify(c.args).includes('May promote ec2 (pg_promote)')), 10_000, 'the NO-GO report naming pg_promote in the channel');
      expect(await h.bots[0].cutover.approvalStore.pending()).toEqual([]);
    } finally {
      await onBothEnds('GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO cutover', promoteGranted);
      await h.command('U0OPS1', 'unlock').catch(() => undefined);
    }
    // Fixed: a new preflight says so, and the gate reads it at once.
    expect(await preflight()).toContain('Everything *heroku-to-ec2* needs is in place');
    expect(await h.command('U0ANYONE', 'health')).toMatch(/:large_green_circle: \*Preflight \(privileges and settings\):\* \d+ checks ok/);
  });
});
