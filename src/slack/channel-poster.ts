import type { WebClient } from '@slack/web-api';
import { redactDeep } from '../redaction';
import type { MessageView } from '../views/slack-text';
import { MessageEdits } from './message-edits';

interface Edit {
  channel: string;
  ts: string;
  view: MessageView;
}

/** Every message the bot posts or edits goes through here, redacted. */
export class ChannelPoster {
  private readonly edits = new MessageEdits<Edit>((e) => this.send(e));

  constructor(private readonly client: WebClient) {}

  async post(channel: string, view: MessageView, threadTs?: string): Promise<{ channel: string; ts: string }> {
    const clean = redactDeep(view);
    const res = await this.client.chat.postMessage({ channel, text: clean.text, blocks: clean.blocks, thread_ts: threadTs, unfurl_links: false });
    return { channel: res.channel ?? channel, ts: res.ts as string };
  }

  /** Uploads a file into a channel, or a thread of it (files.uploadV2: get an upload URL, send the bytes, complete). */
  async upload(channel: string, file: { filename: string; title: string; data: Buffer }, threadTs?: string): Promise<void> {
    const common = { file: file.data, filename: file.filename, title: file.title };
    if (threadTs) await this.client.files.uploadV2({ channel_id: channel, thread_ts: threadTs, ...common });
    else await this.client.files.uploadV2({ channel_id: channel, ...common });
  }

  /** Edits a message in place; edits of one message land in the order they were asked for (see MessageEdits). */
  update(channel: string, ts: string, view: MessageView): Promise<void> {
    return this.edits.edit(`${channel}/${ts}`, { channel, ts, view });
  }

  private async send({ channel, ts, view }: Edit): Promise<void> {
    const clean = redactDeep(view);
    await this.client.chat.update({ channel, ts, text: clean.text, blocks: clean.blocks });
  }
}
