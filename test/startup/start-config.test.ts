import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { readStartConfig, StartConfigError } from '../../src/config/start-config';
import { connectStateStore } from '../../src/state/state-store';

const dir = mkdtempSync(join(tmpdir(), 'cutover-start-config-'));
const plan = join(dir, 'plan.yml');
writeFileSync(
  plan,
  'name: t\nchannel: C0X\ndatabases: { a: { url_env: A_URL, app_url_env: A_APP_URL }, b: { url_env: B_URL } }\nhops: [{ id: h, method: physical, source: a, target: b }]\naccess: { operators: [U0A], approvers: [U0B] }\n',
);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readStartConfig(env);
  } catch (e) {
    if (e instanceof StartConfigError) return e.problems;
    throw e;
  }
  throw new Error('no problem found');
}

describe('the start-up check lists every problem at once', () => {
  test("settings and the plan's database variables together, each named once", () => {
    const problems = problemsOf({ MIGRATION_PLAN: plan, PORT: 'eighty', REDIS_URL: 'localhost:6379', B_URL: 'mysql://app:hunter22@db/b' });
    expect(problems).toEqual([
      'SLACK_BOT_TOKEN: is required',
      'SLACK_SIGNING_SECRET: is required',
      'PORT: must be a port number (0 to 65535)',
      'REDIS_URL: must be a redis:// or rediss:// URL (or the path of a Unix socket)',
      'A_URL (databases.a.url_env): is not set',
      'A_APP_URL (databases.a.app_url_env): is not set',
      'B_URL (databases.b.url_env): must start with postgres:// or postgresql://',
    ]);
    expect(problems.join('\n')).not.toContain('hunter22');
  });

  test('a plan that cannot be read is one problem among the settings', () => {
    const problems = problemsOf({ MIGRATION_PLAN: join(dir, 'missing.yml'), SLACK_SIGNING_SECRET: 's' });
    expect(problems).toEqual(['SLACK_BOT_TOKEN: is required', expect.stringMatching(/^MIGRATION_PLAN: cannot read plan file .*missing\.yml/)]);
  });

  test('a variable shared by two databases is named once', () => {
    const shared = join(dir, 'shared.yml');
    writeFileSync(shared, 'name: t\nchannel: C0X\ndatabases: { a: { url_env: SAME }, b: { url_env: SAME } }\nhops: [{ id: h, method: physical, source: a, target: b }]\naccess: { operators: [U0A], approvers: [U0B] }\n');
    expect(problemsOf({ MIGRATION_PLAN: shared, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).toEqual(['SAME (databases.a.url_env): is not set']);
  });

  test("a database's TLS CA that is not there is listed with the rest", () => {
    const tls = join(dir, 'tls.yml');
    writeFileSync(tls, `name: t\nchannel: C0X\ndatabases: { a: { url_env: A_URL, tls: { mode: verify-full, ca_env: A_CA } }, b: { url_env: B_URL, tls: { mode: verify-full, ca_file: ${join(dir, 'no-such-ca.pem')} } } }\nhops: [{ id: h, method: physical, source: a, target: b }]\naccess: { operators: [U0A], approvers: [U0B] }\n`);
    expect(problemsOf({ MIGRATION_PLAN: tls, SLACK_SIGNING_SECRET: 's', A_URL: 'postgres://bot@a-host/a', B_URL: 'postgres://bot@b-host/b' })).toEqual([
      'SLACK_BOT_TOKEN: is required',
      'databases.a.tls.ca_env: environment variable A_CA is not set',
      expect.stringMatching(/^databases\.b\.tls\.ca_file: cannot read .*no-such-ca\.pem \(ENOENT\)$/),
    ]);
  });

  test("TLS settings for Redis beside a URL without TLS are refused, not ignored", () => {
    const env = { MIGRATION_PLAN: plan, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', A_URL: 'postgres://bot@a/a', A_APP_URL: 'postgres://app@a/a', B_URL: 'postgres://bot@b/b' };
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    expect(problemsOf({ ...env, REDIS_URL: 'redis://cache:6379', REDIS_CA_FILE: ca, REDIS_TLS_REJECT_UNAUTHORIZED: 'false' })).toEqual([
      'REDIS_CA_FILE: set, but REDIS_URL does not use TLS (rediss://), so it would be ignored: use a rediss:// URL or unset REDIS_CA_FILE',
      'REDIS_TLS_REJECT_UNAUTHORIZED: set, but REDIS_URL does not use TLS (rediss://), so it would be ignored: use a rediss:// URL or unset REDIS_TLS_REJECT_UNAUTHORIZED',
    ]);
    expect(readStartConfig({ ...env, REDIS_URL: 'rediss://cache:6380', REDIS_CA_FILE: ca }).settings.redisCaFile).toBe(ca);
  });

  test("a REDIS_URL whose query string sets connection options is refused: ioredis would let them override the bot's fail-fast options", () => {
    const env = { MIGRATION_PLAN: plan, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', A_URL: 'postgres://bot@a/a', A_APP_URL: 'postgres://app@a/a', B_URL: 'postgres://bot@b/b' };
    const problems = problemsOf({ ...env, REDIS_URL: 'redis://:hunter22@cache:6379/0?enableOfflineQueue=true&commandTimeout=0&family=6' });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_URL: sets connection options in its query string \(enableOfflineQueue, commandTimeout\), which would override the bot's own/)]);
    expect(problems.join('\n')).not.toContain('hunter22');
    expect(readStartConfig({ ...env, REDIS_URL: 'rediss://:pw@cache:6380/2?family=6' }).settings.redisUrl).toBe('rediss://:pw@cache:6380/2?family=6');
    expect(() => connectStateStore('redis://127.0.0.1:6379?enableOfflineQueue=true')).toThrow(/enableOfflineQueue/);
    // Why: the URL's query wins over the options beside it.
    const raw = new Redis('redis://127.0.0.1:6379?enableOfflineQueue=true', { enableOfflineQueue: false, lazyConnect: true });
    expect(raw.options.enableOfflineQueue).toBe('true');
    raw.disconnect();
  });

  test("an app webhook's URL and signing secret are checked at start, not first at the cutover", () => {
    const hooked = join(dir, 'webhook.yml');
    writeFileSync(hooked, 'name: t\nchannel: C0X\ndatabases: { a: { url_env: A_URL, app_url_env: A_APP_URL }, b: { url_env: B_URL, app_url_env: B_APP_URL } }\nhops: [{ id: h, method: physical, source: a, target: b, app: { platform: webhook, webhook_url_env: APP_HOOK, webhook_secret_env: APP_HOOK_SECRET } }]\naccess: { operators: [U0A], approvers: [U0B] }\n');
    const env = { MIGRATION_PLAN: hooked, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', A_URL: 'postgres://bot@a/a', A_APP_URL: 'postgres://app@a/a', B_URL: 'postgres://bot@b/b', B_APP_URL: 'postgres://app@b/b' };
    expect(problemsOf(env)).toEqual(['APP_HOOK (hops.h.app.webhook_url_env): is not set', 'APP_HOOK_SECRET (hops.h.app.webhook_secret_env): is not set']);
    expect(problemsOf({ ...env, APP_HOOK: 'http://deploy.example.com/hook', APP_HOOK_SECRET: 'short' })).toEqual([
      "APP_HOOK (hops.h.app.webhook_url_env): the app webhook URL must be https (it carries the app's database password), not http to deploy.example.com",
      'APP_HOOK_SECRET (hops.h.app.webhook_secret_env): is shorter than 16 characters',
    ]);
    expect(readStartConfig({ ...env, APP_HOOK: 'https://deploy.example.com/hook', APP_HOOK_SECRET: 'a-long-enough-secret' }).plan.hops[0].app?.platform).toBe('webhook');
  });

  test('everything set and well formed: settings and plan', () => {
    const { settings, plan: read } = readStartConfig({
      MIGRATION_PLAN: plan,
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      A_URL: 'postgres://bot:pw@a-host/a',
      A_APP_URL: 'postgres://app:pw@a-host/a',
      B_URL: 'postgresql://bot:pw@b-host:6432/b',
    });
    expect(settings.slackBotToken).toBe('xoxb-1');
    expect(read.databases.map((d) => d.id)).toEqual(['a', 'b']);
  });
});
