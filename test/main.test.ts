import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BOT_TOKEN, SIGNING_SECRET } from './support/bot-harness';
import { eventually, freePort } from './support/free-port';
import { TEST_REDIS_URL } from './support/redis';
import { postSigned, slashCommandBody } from './support/signed-request';
import { SlackStandIn } from './support/slack-stand-in';
import { spawnBotProcess } from './support/bot-process';

const root = join(__dirname, '..');
const DB_PASSWORD = 'db-password-that-must-not-leak';

interface Started {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function startMain(env: Record<string, string>): Started {
  const p = spawnBotProcess(env, { capture: true, bare: true });
  return { child: p.child, out: p.output, exit: p.exited };
}

describe('the bot process (npm start)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-main-'));

  test('a bad plan stops the bot with a message naming the field', async () => {
    const plan = join(dir, 'bad.yml');
    writeFileSync(plan, 'name: x\nchannel: C0X\ndatabases: { a: { url_env: A } , b: { url_env: B } }\nhops: [{ id: h, method: teleport, source: a, target: b }]\naccess: { operators: [U0A], approvers: [U0B] }\n');
    const p = startMain({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, MIGRATION_PLAN: plan, A: 'x', B: 'y' });
    expect(await p.exit).toBe(2);
    expect(p.out()).toMatch(/cutover cannot start: .*not a valid plan[\s\S]*hops\[0\]\.method/);
  });

  test('missing settings are named', async () => {
    const p = startMain({ MIGRATION_PLAN: join(root, 'examples/heroku-ec2-aurora.yml') });
    expect(await p.exit).toBe(2);
    expect(p.out()).toContain('SLACK_BOT_TOKEN: is required');
    expect(p.out()).toContain('SLACK_SIGNING_SECRET: is required');
  });

  test('serves /healthz and /migrate, drains an in-flight command on SIGTERM, and never logs a secret', async () => {
    const slack = await new SlackStandIn().start();
    const port = await freePort();
    const planName = `t-main-${randomUUID().slice(0, 6)}`;
    const plan = join(dir, 'plan.yml');
    writeFileSync(plan, `name: ${planName}\nchannel: C0CHAN\ndatabases: { a: { url_env: A_URL }, b: { url_env: B_URL } }\nhops: [{ id: h, method: physical, source: a, target: b }]\naccess: { operators: [U0OPS], approvers: [U0APP] }\n`);
    const p = startMain({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(port),
      REDIS_URL: TEST_REDIS_URL,
      MIGRATION_PLAN: plan,
      A_URL: `postgres://app:${DB_PASSWORD}@127.0.0.1:1/a`,
      B_URL: `postgres://app:${DB_PASSWORD}@127.0.0.1:1/b`,
      LOG_LEVEL: 'debug',
    });
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, 20_000, 'the bot to answer /healthz');
      const send = (text: string) => {
        const key = randomUUID();
        return postSigned(`http://127.0.0.1:${port}/slack/events`, slashCommandBody({ user: 'U0OPS', text, responseUrl: slack.responseUrl(key) }), { secret: SIGNING_SECRET }).then((r) => ({ ...r, key }));
      };
      const first = await send('status');
      expect(first.status).toBe(200);
      expect(await slack.replyTo(first.key)).toContain('*Lock:* free');

      slack.respondDelayMs = 1500;
      const inFlight = await send(`lock ${BOT_TOKEN} postgres://app:${DB_PASSWORD}@db/x`);
      expect(inFlight.status).toBe(200);
      p.child.kill('SIGTERM');
      expect(await p.exit).toBe(0);
      const reply = slack.responsesTo(inFlight.key);
      expect(reply).toHaveLength(1);
      expect(JSON.stringify(reply[0].body)).toContain('You hold the migration lock');
      const announced = JSON.stringify(slack.callsOf('chat.postMessage').map((c) => c.args));
      expect(announced).toContain('took the migration lock');
      expect(announced).not.toContain(BOT_TOKEN);
      expect(announced).not.toContain(DB_PASSWORD);
      expect(p.out()).toContain('stopped');
      expect(p.out()).not.toContain(BOT_TOKEN);
      expect(p.out()).not.toContain(DB_PASSWORD);
    } finally {
      p.child.kill('SIGKILL');
      await slack.stop();
    }
  });
});
