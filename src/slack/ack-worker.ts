// The HTTP side of the Slack receiver, in a worker thread of its own: it verifies Slack's
// signature, acknowledges at once and hands the request to the main thread. The bot's own work
// (Redis, Postgres, charts, and the garbage they make) then never delays an acknowledgement.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { HTTPModuleFunctions } from '@slack/bolt';
import type { AckWorkerOptions, FromAckWorker, ToAckWorker } from './ack-worker-messages';

const {
  buildNoBodyResponse,
  buildSSLCheckResponse,
  buildUrlVerificationResponse,
  extractRetryNumFromHTTPRequest,
  extractRetryReasonFromHTTPRequest,
  isRawBodyError,
  parseAndVerifyHTTPRequest,
  parseHTTPRequestBody,
} = HTTPModuleFunctions;
const options = workerData as AckWorkerOptions;
const port = parentPort!;
let lastHeardFromMain = Date.now();
let nextRouteId = 1;
const routeReplies = new Map<number, (reply: { status: number; contentType: string; body: string }) => void>();

function send(message: FromAckWorker): void {
  port.postMessage(message);
}

function mainThreadStalled(): boolean {
  return Date.now() - lastHeardFromMain > options.stallMs;
}

async function onSlackRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Record<string, unknown>;
  try {
    const buffered = await parseAndVerifyHTTPRequest({ signingSecret: options.signingSecret, bodyLimit: options.bodyLimit }, req);
    body = parseHTTPRequestBody(buffered);
  } catch (e) {
    if (isRawBodyError(e) && (e.type === 'entity.too.large' || e.statusCode === 413)) return buildNoBodyResponse(res, 413);
    send({ kind: 'refused', reason: (e as Error).message });
    return buildNoBodyResponse(res, 401);
  }
  if (body.ssl_check) return buildSSLCheckResponse(res);
  if (body.type === 'url_verification') return buildUrlVerificationResponse(res, body);
  if (mainThreadStalled()) {
    // Acknowledging now would promise an answer the bot cannot give: say so, and run nothing.
    send({ kind: 'refused', reason: `the main thread has not answered for ${Date.now() - lastHeardFromMain} ms` });
    if (typeof body.command === 'string') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ response_type: 'ephemeral', text: ':warning: The bot is not responding right now; nothing was done. Try again in a minute, and tell the on-call engineer if this repeats.' }));
      return;
    }
    return buildNoBodyResponse(res, 503);
  }
  res.writeHead(200);
  res.end();
  send({ kind: 'event', body, retryNum: extractRetryNumFromHTTPRequest(req), retryReason: extractRetryReasonFromHTTPRequest(req) });
}

function onRouteRequest(res: ServerResponse, path: string): void {
  const id = nextRouteId++;
  const timer = setTimeout(() => {
    routeReplies.delete(id);
    res.writeHead(503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error: 'the bot did not answer in time' }));
  }, options.routeTimeoutMs);
  routeReplies.set(id, (reply) => {
    clearTimeout(timer);
    res.writeHead(reply.status, { 'Content-Type': reply.contentType });
    res.end(reply.body);
  });
  send({ kind: 'route', id, path });
}

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  if (pathname === options.endpoint && method === 'POST') {
    onSlackRequest(req, res).catch(() => {
      if (!res.headersSent) buildNoBodyResponse(res, 500);
    });
  } else if (method === 'GET' && options.routes.includes(pathname)) {
    onRouteRequest(res, pathname);
  } else {
    buildNoBodyResponse(res, 404);
  }
});

port.on('message', (message: ToAckWorker) => {
  lastHeardFromMain = Date.now();
  if (message.kind === 'route-reply') {
    routeReplies.get(message.id)?.(message);
    routeReplies.delete(message.id);
  } else if (message.kind === 'stop') {
    server.close(() => port.close());
    server.closeIdleConnections();
  }
});

server.on('error', (e) => {
  send({ kind: 'failed', reason: e.message });
  port.close();
});
server.listen(options.port, options.host, () => send({ kind: 'listening', port: (server.address() as AddressInfo).port }));
