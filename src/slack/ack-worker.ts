// The HTTP side of the Slack receiver, in a worker thread of its own: it verifies Slack's
// signature, acknowledges at once and hands the request to the main thread. The bot's own work
// (Redis, Postgres, charts, and the garbage they make) then never delays an acknowledgement.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { HTTPModuleFunctions } from '@slack/bolt';
import { DEFAULT_BODY_LIMIT, type AckWorkerOptions, type FromAckWorker, type ToAckWorker } from './ack-worker-messages';
import { readSlackRequest } from './request-shape';

const {
  buildNoBodyResponse,
  buildSSLCheckResponse,
  buildUrlVerificationResponse,
  extractRetryNumFromHTTPRequest,
  extractRetryReasonFromHTTPRequest,
  parseAndVerifyHTTPRequest,
  parseHTTPRequestBody,
} = HTTPModuleFunctions;
const options = workerData as AckWorkerOptions;
const port = parentPort!;
const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
const DISCARD_AFTER_REFUSAL = 64 * 1024 * 1024;
let lastHeardFromMain = Date.now();
let nextRouteId = 1;
const routeReplies = new Map<number, (reply: { status: number; contentType: string; body: string }) => void>();

function send(message: FromAckWorker): void {
  port.postMessage(message);
}

function mainThreadStalled(): boolean {
  return Date.now() - lastHeardFromMain > options.stallMs;
}

/**
 * Reads the body, at most `limit` bytes: a larger one is refused on its declared length before a
 * byte is read, or as soon as it passes the limit; the rest is never buffered.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        chunks.length = 0;
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    function done() {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    }
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/**
 * Answers 413, then reads what the client still sends and throws it away, at most 64 MiB or half a
 * second, before cutting the socket: closing with unread data would reset the connection before the
 * client reads the 413.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  send({ kind: 'refused', reason: `a body over ${bodyLimit} bytes (declared ${req.headers['content-length'] ?? 'no length'})`, status: 413 });
  res.writeHead(413, { 'Content-Type': 'text/plain' });
  res.end(`request body over ${bodyLimit} bytes`);
  let discarded = 0;
  const cut = () => req.socket.destroy();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_AFTER_REFUSAL) cut();
  });
  req.resume();
  setTimeout(cut, 500).unref();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function onSlackRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req, bodyLimit);
  if (!raw) return refuseTooLarge(req, res);
  // Bolt's verification reads a body already buffered instead of reading the stream again.
  Object.assign(req, { rawBody: raw });
  let buffered;
  try {
    buffered = await parseAndVerifyHTTPRequest({ signingSecret: options.signingSecret }, req);
  } catch (e) {
    send({ kind: 'refused', reason: (e as Error).message, status: 401 });
    return buildNoBodyResponse(res, 401);
  }
  let body: unknown;
  try {
    body = parseHTTPRequestBody(buffered);
  } catch (e) {
    send({ kind: 'refused', reason: `a signed request whose body is not JSON: ${(e as Error).message}`, status: 400 });
    return buildNoBodyResponse(res, 400);
  }
  if (isObject(body) && body.ssl_check) return buildSSLCheckResponse(res);
  if (isObject(body) && body.type === 'url_verification') return buildUrlVerificationResponse(res, body);
  const shape = readSlackRequest(body);
  if (!shape.ok) {
    send({ kind: 'refused', reason: `a signed request of the wrong shape: ${shape.reason}`, status: 400 });
    return buildNoBodyResponse(res, 400);
  }
  if (mainThreadStalled()) {
    // Acknowledging now would promise an answer the bot cannot give: say so, and run nothing.
    send({ kind: 'refused', reason: `the main thread has not answered for ${Date.now() - lastHeardFromMain} ms`, status: 503 });
    if (shape.request.kind === 'command') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ response_type: 'ephemeral', text: ':warning: The bot is not responding right now; nothing was done. Try again in a minute, and tell the on-call engineer if this repeats.' }));
      return;
    }
    return buildNoBodyResponse(res, 503);
  }
  res.writeHead(200);
  res.end();
  send({ kind: 'event', body: body as Record<string, unknown>, retryNum: extractRetryNumFromHTTPRequest(req), retryReason: extractRetryReasonFromHTTPRequest(req) });
}

function onRouteRequest(res: ServerResponse, path: string, authorization?: string): void {
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
  send({ kind: 'route', id, path, authorization });
}

// Slack's requests are small and quick: a slow body must not hold a connection for Node's default 5 minutes.
const server = createServer({ requestTimeout: 10_000, connectionsCheckingInterval: 1000 }, (req, res) => {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  if (pathname === options.endpoint && method === 'POST') {
    onSlackRequest(req, res).catch((e: Error) => {
      // A connection that broke while its body was read: nothing to run, and say why.
      send({ kind: 'refused', reason: `the request could not be read: ${e.message}`, status: 400 });
      if (!res.headersSent) buildNoBodyResponse(res, 400);
    });
  } else if (method === 'GET' && options.routes.includes(pathname)) {
    onRouteRequest(res, pathname, req.headers.authorization);
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
