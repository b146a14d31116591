import { request } from 'node:http';
import { connect } from 'node:net';
import type { App } from '@slack/bolt';
import { createLogger } from '../../src/log';
import { AckFirstReceiver } from '../../src/slack/ack-first-receiver';
import { postSigned, slashCommandBody } from '../support/signed-request';

const SECRET = 'body-limit-test-secret';
const MiB = 1024 * 1024;

interface Upload {
  status?: number;
  /** Largest growth of this process's resident memory while the upload ran, in bytes. */
  peakGrowth: number;
  sent: number;
}

/**
 * POSTs `total` bytes to /slack/events, unsigned, streamed from one reused 64 KiB chunk so that the
 * sender itself allocates nothing. The receiver's thread runs in this process, so this process's RSS,
 * sampled every 20 ms, is what buffering would cost the bot. Past `giveUpAt` of growth the upload is
 * cut short: the point is made, and a machine others share is spared the rest.
 */
function upload(port: number, total: number, opts: { declareLength: boolean; giveUpAt: number }): Promise<Upload> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const baseline = process.memoryUsage().rss;
  let peakGrowth = 0;
  let sent = 0;
  return new Promise((resolve) => {
    let status: number | undefined;
    const sampler = setInterval(() => {
      peakGrowth = Math.max(peakGrowth, process.memoryUsage().rss - baseline);
      if (peakGrowth > opts.giveUpAt) req.destroy();
    }, 20);
    const finish = () => {
      clearInterval(sampler);
      resolve({ status, peakGrowth: Math.max(peakGrowth, process.memoryUsage().rss - baseline), sent });
    };
    const headers: Record<string, string | number> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (opts.declareLength) headers['Content-Length'] = total;
    const req = request({ host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers }, (res) => {
      status = res.statusCode;
      res.resume();
      res.on('end', finish);
      res.on('error', finish);
    });
    req.on('error', () => (status === undefined ? finish() : undefined));
    req.on('close', () => setTimeout(() => (status === undefined ? finish() : undefined), 200));
    const write = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('a request body over the limit is refused while it is read, before its signature is checked', () => {
  let receiver: AckFirstReceiver;
  const bodies: unknown[] = [];

  beforeAll(async () => {
    receiver = new AckFirstReceiver({ signingSecret: SECRET, endpoint: '/slack/events', routes: [], log: createLogger('silent') });
    receiver.init({ processEvent: async (e: { body: unknown }) => void bodies.push(e.body) } as unknown as App);
    await receiver.start(0, '127.0.0.1');
  });
  afterAll(() => receiver.stop());

  test('a 400 MiB unsigned POST, streamed without a length: 413, and the bot does not grow by more than a few tens of MB', async () => {
    const u = await upload(receiver.port, 400 * MiB, { declareLength: false, giveUpAt: 200 * MiB });
    expect(u.status).toBe(413);
    expect(u.peakGrowth).toBeLessThan(48 * MiB);
    // The connection was cut long before the 400 MiB were sent.
    expect(u.sent).toBeLessThan(200 * MiB);
  });

  test('a 400 MiB unsigned POST that declares its length: 413 at once', async () => {
    const u = await upload(receiver.port, 400 * MiB, { declareLength: true, giveUpAt: 200 * MiB });
    expect(u.status).toBe(413);
    expect(u.peakGrowth).toBeLessThan(48 * MiB);
    expect(u.sent).toBeLessThan(200 * MiB);
  });

  test('a body that never finishes arriving holds its connection for about 10 s, not minutes', async () => {
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(receiver.port, '127.0.0.1', () => socket.write('POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npayload='));
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', () => undefined);
      setTimeout(() => socket.destroy(), 20_000).unref();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  test('the receiver still serves a signed command afterwards, and one just under the limit', async () => {
    const url = `http://127.0.0.1:${receiver.port}/slack/events`;
    const ok = await postSigned(url, slashCommandBody({ user: 'U0ANY', text: 'status', responseUrl: 'http://127.0.0.1:9/r' }), { secret: SECRET });
    expect(ok.status).toBe(200);
    const big = slashCommandBody({ user: 'U0ANY', text: `hold ${'x'.repeat(MiB - 1000)}`, responseUrl: 'http://127.0.0.1:9/r' });
    expect(big.length).toBeLessThan(MiB);
    expect((await postSigned(url, big, { secret: SECRET })).status).toBe(200);
    const over = slashCommandBody({ user: 'U0ANY', text: `hold ${'x'.repeat(MiB)}`, responseUrl: 'http://127.0.0.1:9/r' });
    expect((await postSigned(url, over, { secret: SECRET })).status).toBe(413);
  });
});
