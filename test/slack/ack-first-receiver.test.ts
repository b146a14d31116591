import { execFile } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import type { App } from '@slack/bolt';
import { createLogger } from '../../src/log';
import { AckFirstReceiver, type AckFirstReceiverOptions } from '../../src/slack/ack-first-receiver';
import { eventually, sleep } from '../support/free-port';
import { buttonClickBody, postSigned, slackSignature, slashCommandBody } from '../support/signed-request';

const SECRET = 'ack-first-test-secret';

/** A stand-in for Bolt's App: records what the receiver hands it. */
function recordingApp(): { app: App; bodies: Record<string, unknown>[] } {
  const bodies: Record<string, unknown>[] = [];
  const app = { processEvent: async (e: { body: Record<string, unknown> }) => void bodies.push(e.body) } as unknown as App;
  return { app, bodies };
}

async function started(app: App, extra: Partial<AckFirstReceiverOptions> = {}): Promise<AckFirstReceiver> {
  const receiver = new AckFirstReceiver({ signingSecret: SECRET, endpoint: '/slack/events', routes: [{ path: '/healthz', answer: async () => ({ status: 200, body: { ok: true } }) }], log: createLogger('silent'), ...extra });
  receiver.init(app);
  await receiver.start(0, '127.0.0.1');
  return receiver;
}

/**
 * Sends one signed command from another process, so that it leaves while this thread is blocked.
 * Resolves to what that process measured: the status and the milliseconds to the acknowledgement.
 */
function commandFromAnotherProcess(port: number, text: string, delayMs: number): Promise<{ status: number; ms: number }> {
  const body = slashCommandBody({ user: 'U0ANY', text, responseUrl: 'http://127.0.0.1:9/respond' });
  const ts = Math.floor(Date.now() / 1000);
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': String(ts), 'X-Slack-Signature': slackSignature(SECRET, ts, body) };
  const script = `
    const http = require('node:http');
    setTimeout(() => {
      const t = performance.now();
      const req = http.request({ host: '127.0.0.1', port: ${port}, path: '/slack/events', method: 'POST', headers: ${JSON.stringify(headers)} }, (res) => {
        res.resume();
        res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, ms: performance.now() - t })));
      });
      req.end(${JSON.stringify(body)});
    }, ${delayMs});`;
  return new Promise((resolve, reject) => execFile(process.execPath, ['-e', script], (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout)))));
}

function blockThisThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy, like a long synchronous render or a full garbage collection */
  }
}

describe('the acknowledging receiver: a worker thread acknowledges, the main thread does the work', () => {
  test('acknowledges within milliseconds while the main thread is busy, and the command runs once it is free', async () => {
    const { app, bodies } = recordingApp();
    const receiver = await started(app, { stallMs: 10_000 });
    try {
      const answer = commandFromAnotherProcess(receiver.port, 'status while busy', 400);
      blockThisThread(2000);
      const { status, ms } = await answer;
      expect(status).toBe(200);
      // The request arrived while this thread was still blocked for over a second.
      expect(ms).toBeLessThan(500);
      await eventually(() => bodies.find((b) => b.text === 'status while busy'), 5000, 'the command to reach the app');
    } finally {
      await receiver.stop();
    }
  });

  test('when the main thread has not answered for too long, requests are refused out loud and nothing runs', async () => {
    const { app, bodies } = recordingApp();
    const receiver = await started(app, { stallMs: 300, heartbeatMs: 60_000 });
    try {
      await sleep(600);
      const command = await postSigned(`http://127.0.0.1:${receiver.port}/slack/events`, slashCommandBody({ user: 'U0ANY', text: 'lock', responseUrl: 'http://127.0.0.1:9/r' }), { secret: SECRET });
      expect(command.status).toBe(200);
      expect(JSON.parse(command.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('nothing was done') });
      const click = await postSigned(`http://127.0.0.1:${receiver.port}/slack/events`, buttonClickBody({ user: 'U0ANY', actionId: 'approval.approve', value: 'x', responseUrl: 'http://127.0.0.1:9/r' }), { secret: SECRET });
      expect(click.status).toBe(503);
      await sleep(200);
      expect(bodies).toHaveLength(0);
    } finally {
      await receiver.stop();
    }
  });

  test('refuses unsigned requests with 401, answers routes from the main thread, 404 elsewhere', async () => {
    const { app, bodies } = recordingApp();
    const receiver = await started(app);
    try {
      const url = `http://127.0.0.1:${receiver.port}`;
      expect((await postSigned(`${url}/slack/events`, slashCommandBody({ user: 'U0ANY', text: 'lock', responseUrl: 'http://127.0.0.1:9/r' }), { secret: SECRET, signWith: 'forged' })).status).toBe(401);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });
      expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
      expect(bodies).toHaveLength(0);
    } finally {
      await receiver.stop();
    }
  });

  test('a receiver thread that dies is started again on the same port', async () => {
    const { app, bodies } = recordingApp();
    const receiver = await started(app);
    try {
      const port = receiver.port;
      await (receiver as unknown as { worker: Worker }).worker.terminate();
      const url = `http://127.0.0.1:${port}/slack/events`;
      await eventually(async () => (await postSigned(url, slashCommandBody({ user: 'U0ANY', text: 'after restart', responseUrl: 'http://127.0.0.1:9/r' }), { secret: SECRET }).catch(() => undefined))?.status === 200, 10_000, 'the receiver to come back');
      await eventually(() => bodies.find((b) => b.text === 'after restart'), 5000, 'the command to reach the app');
      expect(receiver.port).toBe(port);
    } finally {
      await receiver.stop();
    }
  });
});
