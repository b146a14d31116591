import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './free-port';
import { LocalHttpServer, readBody } from './local-http-server';

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** What the stand-in answered. */
  result?: Record<string, unknown>;
}

export interface ResponseUrlPost {
  key: string;
  body: Record<string, unknown>;
  at?: number;
}

type Override = (args: Record<string, unknown>) => { status: number; headers?: Record<string, string>; body: unknown } | undefined;

/**
 * A local Slack: the Web API methods the bot calls (form or JSON bodies, as the WebClient sends
 * them) and response_url endpoints. It records everything it is sent.
 */
export class SlackStandIn extends LocalHttpServer {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  readonly usergroups = new Map<string, string[]>();
  /** Bytes received at upload URLs (files.uploadV2's second step), by file id. */
  readonly uploads = new Map<string, Buffer>();
  private readonly overrides = new Map<string, Override>();
  private tsCounter = 1_700_000_000;
  /** Delay before answering a response_url post (to keep the bot's work in flight). */
  respondDelayMs = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(key: string): string {
    return `http://127.0.0.1:${this.port}/respond/${encodeURIComponent(key)}`;
  }

  /** How long to hold the answer of one API method, by its arguments (0: at once); until cleared. */
  readonly delays = new Map<string, (args: Record<string, unknown>) => number>();
  /** How long a call of one API method takes to arrive, by its arguments: it is recorded (as Slack would apply it) only then. */
  readonly arrivals = new Map<string, (args: Record<string, unknown>) => number>();

  /** Replaces the answer of one API method until cleared (return undefined to answer normally). */
  override(method: string, fn: Override | undefined): void {
    if (fn) this.overrides.set(method, fn);
    else this.overrides.delete(method);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  responsesTo(key: string): ResponseUrlPost[] {
    return this.responses.filter((r) => r.key === key);
  }

  /** Waits for the first response_url post for `key` and returns its text plus all block texts. */
  async replyTo(key: string, timeoutMs = 5000): Promise<string> {
    const r = await eventually(() => this.responsesTo(key)[0], timeoutMs, `a response to ${key}`);
    return messageText(r.body);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/upload/')) {
      this.uploads.set(url.pathname.slice('/upload/'.length), uploadedFile(bytes, req.headers['content-type'] ?? ''));
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('OK - uploaded');
    }
    const args = parseBody(raw, req.headers['content-type'] ?? '');
    if (url.pathname.startsWith('/respond/')) {
      if (this.respondDelayMs) await new Promise((r) => setTimeout(r, this.respondDelayMs));
      this.responses.push({ key: decodeURIComponent(url.pathname.slice('/respond/'.length)), body: args, at: Date.now() });
      return send(res, 200, { ok: true });
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const late = this.arrivals.get(method)?.(args) ?? 0;
    if (late) await new Promise((r) => setTimeout(r, late));
    const call: ApiCall = { method, args, at: Date.now() };
    this.calls.push(call);
    const wait = this.delays.get(method)?.(args) ?? 0;
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const o = this.overrides.get(method)?.(args);
    if (o) return send(res, o.status, o.body, o.headers);
    call.result = this.answer(method, args) as Record<string, unknown>;
    send(res, 200, call.result);
  }

  private answer(method: string, args: Record<string, unknown>): unknown {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'cutover', team_id: 'T0TEAM', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage':
        return { ok: true, channel: args.channel, ts: `${this.tsCounter++}.000100`, message: { text: args.text } };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${this.tsCounter++}.000200` };
      case 'files.getUploadURLExternal': {
        const id = `F${this.tsCounter++}`;
        return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return { ok: true, files: JSON.parse(String(args.files)).map((f: { id: string; title?: string }) => ({ id: f.id, title: f.title })) };
      case 'views.publish': {
        const view = typeof args.view === 'string' ? JSON.parse(args.view) : args.view;
        return { ok: true, view: { id: `V${this.tsCounter++}`, type: view.type, blocks: view.blocks, hash: `${Date.now()}.1` } };
      }
      case 'usergroups.users.list': {
        const users = this.usergroups.get(String(args.usergroup));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = (k === 'blocks' || k === 'attachments') && v.startsWith('[') ? JSON.parse(v) : v;
  }
  return out;
}

/** The file's own bytes: the WebClient posts them as the one part of a multipart/form-data body. */
function uploadedFile(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) return body;
  const start = body.indexOf('\r\n\r\n') + 4;
  const end = body.indexOf(`\r\n--${boundary[1] ?? boundary[2]}`, start);
  return body.subarray(start, end < 0 ? body.length : end);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** All the text a person would read in a message: its fallback text and every block's text. */
export function messageText(body: Record<string, unknown>): string {
  const parts: string[] = [String(body.text ?? '')];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') parts.push(x);
        else walk(x);
      }
    }
  };
  walk(body.blocks);
  return parts.join('\n');
}

/**
 * Slack's Socket Mode end: apps.connections.open on the stand-in hands out this WebSocket URL;
 * `send` delivers an envelope and resolves with the app's acknowledgement.
 */
export class SocketModeStandIn {
  private wss?: import('ws').WebSocketServer;
  private socket?: import('ws').WebSocket;
  private readonly acks = new Map<string, (payload: unknown) => void>();

  async start(slack: SlackStandIn): Promise<this> {
    const { WebSocketServer } = await import('ws');
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => this.wss!.once('listening', r));
    const url = `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/link`;
    slack.override('apps.connections.open', () => ({ status: 200, body: { ok: true, url } }));
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) this.acks.get(msg.envelope_id)?.(msg.payload);
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'stand-in' }, connection_info: { app_id: 'A0CUTOVER' } }));
    });
    return this;
  }

  async connected(): Promise<void> {
    await eventually(() => this.socket !== undefined, 10_000, 'the app to open its socket');
  }

  /** Sends a slash command envelope; resolves when the app acknowledges it. */
  sendSlashCommand(payload: Record<string, string>): Promise<unknown> {
    const id = `env-${Math.random().toString(36).slice(2)}`;
    const acked = new Promise((resolve) => this.acks.set(id, resolve));
    this.socket!.send(JSON.stringify({ envelope_id: id, type: 'slash_commands', accepts_response_payload: true, payload }));
    return acked;
  }

  async stop(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    await new Promise((r) => this.wss?.close(r));
  }
}
