import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/bot-harness';
import { spawnBotProcess, untilHealthy, type BotProcess } from '../support/bot-process';
import { eventually, freePort, sleep } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { TEST_REDIS_URL } from '../support/redis';
import { SlackStandIn } from '../support/slack-stand-in';

const dir = mkdtempSync(join(tmpdir(), 'cutover-startup-'));
const DB_PASSWORD = 'start-up-db-password';

/** A plan with two databases whose URLs come from A_URL and B_URL (and the plan's database timeouts). */
function writePlan(extra = ''): string {
  const path = join(dir, `plan-${randomUUID().slice(0, 6)}.yml`);
  writeFileSync(
    path,
    `name: t-startup-${randomUUID().slice(0, 6)}\nchannel: C0CHAN\ndatabases: { a: { url_env: A_URL }, b: { url_env: B_URL } }\nhops: [{ id: h, method: physical, source: a, target: b }]\naccess: { operators: [U0OPS], approvers: [U0APP] }\n${extra}`,
  );
  return path;
}

/** A TCP server that accepts connections and never says a word (Slack or Postgres in a brownout). */
async function silentServer(): Promise<{ port: number; connections: () => number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The process's exit code, or a failure showing what it printed when it is still running after `ms`. */
async function exitWithin(p: BotProcess, ms: number): Promise<number | null> {
  const code = await Promise.race([p.exited, sleep(ms).then(() => 'still running' as const)]);
  if (code === 'still running') throw new Error(`still running after ${ms} ms:\n${p.output()}`);
  return code;
}

describe('start-up checks (npm start)', () => {
  let slack: SlackStandIn;
  const started: BotProcess[] = [];
  const start = (env: Record<string, string>, cwd?: string) => {
    const p = spawnBotProcess(env, { capture: true, bare: true, cwd });
    started.push(p);
    return p;
  };
  const baseEnv = async (): Promise<Record<string, string>> => ({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(await freePort()),
    REDIS_URL: TEST_REDIS_URL,
    MIGRATION_PLAN: writePlan(),
    A_URL: `postgres://bot:${DB_PASSWORD}@127.0.0.1:1/a`,
    B_URL: `postgres://bot:${DB_PASSWORD}@127.0.0.1:1/b`,
    LOG_LEVEL: 'info',
  });

  beforeEach(async () => {
    slack = await new SlackStandIn().start();
  });
  afterEach(async () => {
    for (const p of started.splice(0)) p.child.kill('SIGKILL');
    await slack.stop();
  });

  test('.env in the working directory is read, and the environment wins over it', async () => {
    const env = await baseEnv();
    const cwd = mkdtempSync(join(tmpdir(), 'cutover-dotenv-'));
    const envPort = await freePort();
    // Everything but PORT only in .env; PORT in both, the environment's is the one used.
    writeFileSync(join(cwd, '.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const p = start({ PORT: String(envPort) }, cwd);
    await untilHealthy(envPort);
    await expect(fetch(`http://127.0.0.1:${env.PORT}/healthz`)).rejects.toThrow();
    expect(slack.callsOf('auth.test').length).toBeGreaterThan(0);
    expect(p.output()).toContain('variables from .env');
    expect(p.output()).not.toContain(BOT_TOKEN);
    expect(p.output()).not.toContain(DB_PASSWORD);
  });

  test.each(['invalid_auth', 'token_revoked'])('a token Slack answers %s for stops the start with the reason and code 2', async (error) => {
    slack.override('auth.test', () => ({ status: 200, body: { ok: false, error } }));
    const env = await baseEnv();
    const p = start(env);
    expect(await exitWithin(p, 20_000)).toBe(2);
    expect(p.output()).toContain(`cutover cannot start: Slack rejected SLACK_BOT_TOKEN (auth.test: ${error})`);
    expect(p.output()).toContain('Bot User OAuth Token');
    expect(p.output()).not.toContain(BOT_TOKEN);
    // Nothing was served.
    await expect(fetch(`http://127.0.0.1:${env.PORT}/healthz`)).rejects.toThrow();
  });

  test('every missing or malformed setting is listed in one message: settings and the plan together, no value repeated', async () => {
    const plan = join(dir, 'app-url.yml');
    writeFileSync(
      plan,
      'name: t\nchannel: C0X\ndatabases: { a: { url_env: A_URL, app_url_env: A_APP_URL }, b: { url_env: B_URL }, c: { url_env: C_URL } }\nhops: [{ id: h, method: physical, source: a, target: b }, { id: h2, method: logical, source: b, target: c, subscription: s }]\naccess: { operators: [U0A], approvers: [U0B] }\n',
    );
    const p = start({ MIGRATION_PLAN: plan, PORT: 'eighty', B_URL: `mysql://bot:${DB_PASSWORD}@db.internal/b`, C_URL: `postgres://bot:${DB_PASSWORD}@db.internal:5432` });
    expect(await exitWithin(p, 20_000)).toBe(2);
    const out = p.output();
    expect(out).toMatch(/^cutover cannot start: 7 settings are missing or wrong:\n/);
    for (const line of [
      'SLACK_BOT_TOKEN: is required',
      'SLACK_SIGNING_SECRET: is required',
      'PORT: must be a port number (0 to 65535)',
      'A_URL (databases.a.url_env): is not set',
      'A_APP_URL (databases.a.app_url_env): is not set',
      'B_URL (databases.b.url_env): must start with postgres:// or postgresql://',
      'C_URL (databases.c.url_env): names no database',
    ])
      expect(out).toContain(`\n  ${line}`);
    expect(out).not.toContain(DB_PASSWORD);
    expect(out).not.toContain('db.internal');
    expect(out).not.toContain('mysql://');
    // The hints themselves read whole (none looks like a URL with credentials).
    expect(out).not.toContain('[redacted]');
    // One message, and no stack trace.
    expect(out.match(/cutover cannot start/g)).toHaveLength(1);
    expect(out).not.toMatch(/\bat .*\.ts:\d+/);
  });

  test('an unreachable database and an unreachable Redis are warnings: the bot starts, and each is named with its reason', async () => {
    const p = start({ ...(await baseEnv()), REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    await eventually(() => /"msg":"cutover is running"/.test(p.output()), 20_000, 'the bot to start');
    const out = p.output();
    expect(out).toMatch(/"level":40,[^\n]*database a \(A_URL\) is unreachable: connection refused/);
    expect(out).toMatch(/"level":40,[^\n]*database b \(B_URL\) is unreachable: connection refused/);
    expect(out).toMatch(/"level":40,[^\n]*Redis is unreachable: connection refused/);
    expect(out).not.toContain(DB_PASSWORD);
  });

  test('a reachable database and Redis are reported reachable; one whose database does not exist is named with that reason', async () => {
    const folder = new ClusterFolder();
    const pg = await PgCluster.fresh(folder, 'startup');
    try {
      const env = await baseEnv();
      const p = start({ ...env, A_URL: pg.url('postgres'), B_URL: pg.url('no_such_db') });
      await untilHealthy(Number(env.PORT));
      const out = p.output();
      expect(out).toMatch(/"level":30,[^\n]*database a \(A_URL\): reachable/);
      expect(out).toMatch(/"level":40,[^\n]*database b \(B_URL\) is unreachable: the database does not exist/);
      expect(out).toMatch(/"level":30,[^\n]*Redis: reachable/);
    } finally {
      for (const p of started.splice(0)) p.child.kill('SIGKILL');
      await pg.stop('immediate');
      folder.remove();
    }
  });

  test('Slack unreachable: the bot starts, says so, and confirms the token once Slack answers', async () => {
    const slackPort = await freePort();
    const env = await baseEnv();
    const p = start({ ...env, SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/` });
    await untilHealthy(Number(env.PORT));
    expect(p.output()).toMatch(/"level":40,[^\n]*Slack did not answer auth.test \(connection refused\): starting anyway/);
    // Slack comes back on that port: the background retry gets its answer.
    await slack.stop();
    slack = await new SlackStandIn().start(slackPort);
    await eventually(() => p.output().includes('Slack confirmed the bot token'), 20_000, 'the token to be confirmed');
    expect(slack.callsOf('auth.test').length).toBeGreaterThan(0);
  });

  test('Ctrl-C while auth.test hangs (Slack accepts and never answers) exits at once', async () => {
    const silent = await silentServer();
    try {
      const p = start({ ...(await baseEnv()), SLACK_API_URL: `http://127.0.0.1:${silent.port}/api/` });
      await eventually(() => silent.connections() > 0, 20_000, 'the bot to ask Slack');
      const sent = Date.now();
      p.child.kill('SIGINT');
      expect(await exitWithin(p, 2_000)).toBe(130);
      expect(Date.now() - sent).toBeLessThan(1_000);
      expect(p.output()).toContain('signal received while starting: exiting now');
    } finally {
      await silent.stop();
    }
  });

  test('Slack that never answers: the start waits one bounded try, then runs; Ctrl-C then stops it', async () => {
    const silent = await silentServer();
    try {
      const env = await baseEnv();
      const p = start({ ...env, SLACK_API_URL: `http://127.0.0.1:${silent.port}/api/` });
      await untilHealthy(Number(env.PORT), 15_000);
      expect(p.output()).toMatch(/Slack did not answer auth.test \(no answer in time\): starting anyway/);
      p.child.kill('SIGINT');
      expect(await exitWithin(p, 10_000)).toBe(0);
      expect(p.output()).toContain('"msg":"stopped"');
    } finally {
      await silent.stop();
    }
  });

  test('Ctrl-C while a database connect hangs exits at once', async () => {
    const silent = await silentServer();
    try {
      const env = await baseEnv();
      const p = start({ ...env, MIGRATION_PLAN: writePlan('database_timeouts: { connect_timeout_ms: 30000 }\n'), A_URL: `postgres://bot:${DB_PASSWORD}@127.0.0.1:${silent.port}/a` });
      await eventually(() => silent.connections() > 0, 20_000, 'the bot to try the database');
      await sleep(300);
      const sent = Date.now();
      p.child.kill('SIGINT');
      expect(await exitWithin(p, 2_000)).toBe(130);
      expect(Date.now() - sent).toBeLessThan(1_000);
      expect(p.output()).toContain('signal received while starting: exiting now');
    } finally {
      await silent.stop();
    }
  });
});
