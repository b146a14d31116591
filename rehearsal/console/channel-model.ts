import type { SlackStandIn } from '../../test/support/slack-stand-in';

export interface ConsoleMessage {
  /** Slack's message timestamp, or `e<n>` for an ephemeral reply. */
  ts: string;
  threadTs?: string;
  from: string;
  text: string;
  blocks: unknown[];
  edited: boolean;
  /** Only this member sees it ("Only visible to you"). */
  visibleTo?: string;
  files: { id: string; title: string; name?: string }[];
  at: number;
}

/** Who asked, for each response_url the console handed out. */
export interface Asker {
  user: string;
  what: string;
}

/**
 * The channel as Slack would show it, rebuilt from what the bot sent the Slack stand-in:
 * chat.postMessage (threads by thread_ts), chat.update (edits in place), chat.postEphemeral,
 * files.uploadV2, and the replies it sent to response URLs (ephemeral, to the member who asked).
 */
export class ChannelModel {
  private readonly askers = new Map<string, Asker>();

  constructor(private readonly slack: SlackStandIn) {}

  /** Remembers who a response URL answers; the console calls it when it sends a command or a click. */
  asked(key: string, asker: Asker): void {
    this.askers.set(key, asker);
  }

  /** The messages `viewer` sees, oldest first; replies sit in their parent's thread. */
  messagesFor(viewer: string): ConsoleMessage[] {
    const byTs = new Map<string, ConsoleMessage>();
    const out: ConsoleMessage[] = [];
    const add = (m: ConsoleMessage) => {
      out.push(m);
      byTs.set(m.ts, m);
    };
    let ephemeral = 0;
    // The file's name is given when its upload URL is asked for; the upload's completion names only its id.
    const names = new Map(this.slack.calls.filter((c) => c.method === 'files.getUploadURLExternal' && c.result?.ok === true).map((c) => [String(c.result!.file_id), String(c.args.filename ?? '')]));
    // One time line of API calls and response_url replies, in the order the stand-in got them.
    const events = [
      ...this.slack.calls.map((c, i) => ({ at: c.at, order: i, call: c })),
      ...this.slack.responses.map((r, i) => ({ at: r.at ?? 0, order: i, response: r })),
    ].sort((a, b) => a.at - b.at || a.order - b.order);
    for (const e of events) {
      if ('response' in e && e.response) {
        const asker = this.askers.get(e.response.key);
        const body = e.response.body;
        if (!asker || asker.user !== viewer) continue;
        add({ ts: `e${ephemeral++}`, from: 'Cutover', text: String(body.text ?? ''), blocks: blocksOf(body.blocks), edited: false, visibleTo: viewer, files: [], at: e.at, threadTs: undefined });
        continue;
      }
      const c = 'call' in e ? e.call : undefined;
      if (!c?.result || c.result.ok !== true) continue;
      const a = c.args;
      if (c.method === 'chat.postMessage') {
        add({ ts: String(c.result.ts), threadTs: a.thread_ts ? String(a.thread_ts) : undefined, from: 'Cutover', text: String(a.text ?? ''), blocks: blocksOf(a.blocks), edited: false, files: [], at: c.at });
      } else if (c.method === 'chat.update') {
        const m = byTs.get(String(a.ts));
        if (m) Object.assign(m, { text: String(a.text ?? ''), blocks: blocksOf(a.blocks), edited: true });
      } else if (c.method === 'chat.postEphemeral' && a.user === viewer) {
        add({ ts: `e${ephemeral++}`, from: 'Cutover', text: String(a.text ?? ''), blocks: blocksOf(a.blocks), edited: false, visibleTo: viewer, files: [], at: c.at });
      } else if (c.method === 'files.completeUploadExternal') {
        const files = JSON.parse(String(a.files)) as { id: string; title?: string }[];
        add({ ts: `f${c.at}-${files[0]?.id}`, threadTs: a.thread_ts ? String(a.thread_ts) : undefined, from: 'Cutover', text: String(a.initial_comment ?? ''), blocks: [], edited: false, files: files.map((f) => ({ id: f.id, title: f.title ?? f.id, name: names.get(f.id) })), at: c.at });
      }
    }
    return out;
  }

  /** The Home tab the bot last published to `viewer` (views.publish), if any. */
  homeOf(viewer: string): { blocks: unknown[] } | undefined {
    const c = this.slack.calls.filter((x) => x.method === 'views.publish' && x.result?.ok === true && x.args.user_id === viewer).pop();
    if (!c) return undefined;
    const view = (typeof c.args.view === 'string' ? JSON.parse(c.args.view) : c.args.view) as { blocks?: unknown };
    return { blocks: blocksOf(view.blocks) };
  }
}

function blocksOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string' && v.startsWith('[')) return JSON.parse(v) as unknown[];
  return [];
}
