import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BOT_TOKEN, SIGNING_SECRET } from './support/bot-harness';
import { eventually, freePort } from './support/free-port';
import { TEST_REDIS_URL } from './support/redis';
import { postSigned, slashCommandBody } from './support/signed-request';
import { SlackStandIn } from './support/slack-stand-in';
import { spawnBotProcess, untilHealthy } from './support/bot-process';
import { BrownoutSlack } from './support/brownout-slack';

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
    expect(p.out()).toMatch(/cutover cannot start:[\s\S]*MIGRATION_PLAN: .*not a valid plan[\s\S]*hops\[0\]\.method/);
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
        return postSigned(`http://127.0.0.1:${port}/slack/events`, slashCommandBody({ user: 'U0OPS', text, channel: 'C0CHAN', responseUrl: slack.responseUrl(key) }), { secret: SIGNING_SECRET }).then((r) => ({ ...r, key }));
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

/** A Slack Web API that accepts connections and never answers (a brownout). */
async function silentSlackApi(): Promise<{ url: string; connections: () => number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/`,
    connections: () => connections,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('stopping the bot process (Ctrl-C, SIGTERM) while Slack does not answer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-stop-'));
  let unreachable: Awaited<ReturnType<typeof silentSlackApi>>;
  // auth.test and response_url answer; chat.postMessage never does.
  const brownout = new BrownoutSlack();
  brownout.silent.add('chat.postMessage');

  beforeAll(async () => {
    unreachable = await silentSlackApi();
    await brownout.start();
  });
  afterAll(async () => {
    await unreachable.stop();
    await brownout.stop();
  });

  /** `npm start` with Slack's Web API in a brownout (by default, posting to the channel never answers). */
  async function startInBrownout(env: Record<string, string> = {}): Promise<Started & { port: number }> {
    const port = await freePort();
    const plan = join(dir, `plan-${randomUUID().slice(0, 6)}.yml`);
    writeFileSync(plan, `name: t-stop-${randomUUID().slice(0, 6)}\nchannel: C0CHAN\ndatabases: { a: { url_env: A_URL }, b: { url_env: B_URL } }\nhops: [{ id: h, method: physical, source: a, target: b }]\naccess: { operators: [U0OPS], approvers: [U0APP] }\n`);
    const p = startMain({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: brownout.apiUrl,
      PORT: String(port),
      REDIS_URL: TEST_REDIS_URL,
      MIGRATION_PLAN: plan,
      A_URL: 'postgres://app:x@127.0.0.1:1/a',
      B_URL: 'postgres://app:x@127.0.0.1:1/b',
      LOG_LEVEL: 'info',
      ...env,
    });
    return { ...p, port };
  }

  /** Sends `/migrate hold …`: its answer goes to response_url, then its announcement waits on the silent chat.postMessage. */
  async function holdWaitingOnSlack(port: number): Promise<void> {
    const key = randomUUID();
    const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, slashCommandBody({ user: 'U0OPS', text: 'hold Slack brownout', channel: 'C0CHAN', responseUrl: brownout.responseUrl(key) }), { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(await brownout.replyTo(key, 10_000)).toContain('Hold placed');
    await eventually(() => brownout.unanswered.includes('chat.postMessage'), 5_000, 'the announcement to wait on Slack');
  }

  /** How long after `signal` the process took to exit, and its exit code. */
  async function exitAfter(p: Started, signal: NodeJS.Signals): Promise<{ ms: number; code: number | null }> {
    const sent = Date.now();
    p.child.kill(signal);
    const code = await Promise.race([p.exit, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000))]);
    if (code === 'still running') throw new Error(`still running 20 s after ${signal}:\n${p.out()}`);
    return { ms: Date.now() - sent, code };
  }

  test('Ctrl-C stops a bot whose Slack accepts connections and never answers within 10 s', async () => {
    const p = await startInBrownout({ SLACK_API_URL: unreachable.url });
    try {
      await untilHealthy(p.port);
      await eventually(() => unreachable.connections() > 0, 5_000, 'the bot to call Slack');
      const { ms, code } = await exitAfter(p, 'SIGINT');
      expect(ms).toBeLessThan(10_000);
      expect(code).toBe(0);
      expect(p.out()).toContain('"msg":"stopped"');
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('SIGTERM while a command waits on Slack: the work gets its bound, then the process exits within 10 s', async () => {
    const p = await startInBrownout();
    try {
      await untilHealthy(p.port);
      await holdWaitingOnSlack(p.port);
      const { ms, code } = await exitAfter(p, 'SIGTERM');
      expect(ms).toBeLessThan(10_000);
      expect(code).toBe(0);
      expect(p.out()).toContain('"msg":"stopped"');
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('a second Ctrl-C exits at once, and says so', async () => {
    const p = await startInBrownout();
    try {
      await untilHealthy(p.port);
      await holdWaitingOnSlack(p.port);
      p.child.kill('SIGINT');
      await eventually(() => p.out().includes('signal received'), 5_000, 'the first signal to be logged');
      const { ms, code } = await exitAfter(p, 'SIGINT');
      expect(ms).toBeLessThan(1_000);
      expect(code).toBe(130);
      expect(p.out()).toContain('second signal: exiting now');
      expect(p.out()).not.toContain('"msg":"stopped"');
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('Ctrl-C while still starting (Redis down) exits at once, and says so', async () => {
    const redisPort = await freePort();
    const p = await startInBrownout({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    try {
      // Start-up waits 5 s for Redis; the signal comes in the middle of that wait.
      await new Promise((r) => setTimeout(r, 2_500));
      const { ms, code } = await exitAfter(p, 'SIGINT');
      expect(ms).toBeLessThan(1_000);
      expect(code).toBe(130);
      expect(p.out()).toContain('signal received while starting: exiting now');
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
