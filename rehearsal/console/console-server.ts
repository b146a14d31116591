import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { LocalHttpServer, readBody } from '../../test/support/local-http-server';
import { buttonClickBody, postSigned, slashCommandBody } from '../../test/support/signed-request';
import type { SlackStandIn } from '../../test/support/slack-stand-in';
import { CHANNEL, MEMBERS } from '../plan';
import { ChannelModel, type ConsoleMessage } from './channel-model';

const PUBLIC = join(__dirname, 'public');
// favicon.ico too: a browser asks for it whatever the page links, and a 404 on load looks broken.
const STATIC: Record<string, string> = { '/': 'index.html', '/console.js': 'console.js', '/console.css': 'console.css', '/favicon.svg': 'favicon.svg', '/favicon.ico': 'favicon.svg' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };

export interface ConsoleDeps {
  slack: SlackStandIn;
  /** Where the bot takes Slack's requests, and the secret Slack signs them with. */
  botEventsUrl: string;
  signingSecret: string;
  /** What the world looks like now (databases, the app, the DMS task, the switches). */
  world: () => Promise<unknown>;
  /** Turns a fault switch on or off. */
  setSwitch: (name: string, on: boolean) => Promise<void>;
}

/**
 * The rehearsal's web console: the channel as the bot posts it, a `/migrate` box that sends real
 * signed slash commands as the chosen member, buttons that send real signed block_actions payloads,
 * and the fault switches.
 */
export class ConsoleServer extends LocalHttpServer {
  private readonly channel: ChannelModel;
  private readonly typed: (ConsoleMessage & { by: string })[] = [];

  constructor(private readonly deps: ConsoleDeps) {
    super();
    this.channel = new ChannelModel(deps.slack);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (req.method === 'GET' && STATIC[url.pathname]) {
        const file = STATIC[url.pathname];
        res.writeHead(200, { 'Content-Type': TYPES[file.split('.').pop()!], 'Cache-Control': 'no-store' });
        return void res.end(readFileSync(join(PUBLIC, file)));
      }
      if (req.method === 'GET' && url.pathname.startsWith('/files/')) return this.file(url.pathname.slice('/files/'.length), res);
      if (req.method === 'GET' && url.pathname === '/api/state') return json(res, 200, await this.state(url.searchParams.get('as') || MEMBERS[0].id));
      if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, string>;
        if (url.pathname === '/api/command') return json(res, 200, await this.command(body.user, body.text));
        if (url.pathname === '/api/click') return json(res, 200, await this.click(body));
        if (url.pathname === '/api/switch') {
          await this.deps.setSwitch(body.name, Boolean(body.on));
          return json(res, 200, { ok: true });
        }
      }
      json(res, 404, { error: `no ${req.method} ${url.pathname}` });
    } catch (e) {
      json(res, 500, { error: (e as Error).message });
    }
  }

  private async state(viewer: string): Promise<unknown> {
    const mine = this.typed.filter((t) => t.by === viewer);
    const messages = [...this.channel.messagesFor(viewer), ...mine].sort((a, b) => a.at - b.at);
    return { channel: CHANNEL, members: MEMBERS, viewer, messages, home: this.channel.homeOf(viewer), world: await this.deps.world() };
  }

  /** `/migrate <text>` as `user`, signed as Slack signs it; the bot's reply arrives at the response URL. */
  private async command(user: string, text: string): Promise<{ status: number }> {
    const key = randomUUID();
    this.channel.asked(key, { user, what: text });
    const name = MEMBERS.find((m) => m.id === user)?.name ?? user;
    this.typed.push({ ts: `c${key}`, from: name, by: user, text: `/migrate ${text}`, blocks: [], edited: false, visibleTo: user, files: [], at: Date.now() });
    const body = slashCommandBody({ user, text, channel: CHANNEL, responseUrl: this.deps.slack.responseUrl(key) });
    const res = await postSigned(this.deps.botEventsUrl, body, { secret: this.deps.signingSecret });
    return { status: res.status };
  }

  private async click(b: Record<string, string>): Promise<{ status: number }> {
    const key = randomUUID();
    this.channel.asked(key, { user: b.user, what: b.actionId });
    const messageTs = /^\d+\.\d+$/.test(b.messageTs ?? '') ? b.messageTs : undefined;
    const body = buttonClickBody({ user: b.user, actionId: b.actionId, value: b.value, blockId: b.blockId, label: b.label, messageTs, channel: CHANNEL, responseUrl: this.deps.slack.responseUrl(key) });
    const res = await postSigned(this.deps.botEventsUrl, body, { secret: this.deps.signingSecret });
    return { status: res.status };
  }

  private file(id: string, res: ServerResponse): void {
    const bytes = this.deps.slack.uploads.get(decodeURIComponent(id));
    if (!bytes) return json(res, 404, { error: 'no such file' });
    res.writeHead(200, { 'Content-Type': contentTypeOf(bytes) });
    res.end(bytes);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** PNG charts show as images; the report opens as the HTML page it is. */
function contentTypeOf(bytes: Buffer): string {
  if (bytes.subarray(1, 4).toString() === 'PNG') return 'image/png';
  if (/^\s*<!doctype html/i.test(bytes.subarray(0, 64).toString('utf8'))) return 'text/html; charset=utf-8';
  return 'application/octet-stream';
}
