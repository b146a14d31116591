import type { MessageView } from '../views/slack-text';

export interface MessageRef {
  channel: string;
  ts: string;
}

/** The plan's channel, as the domain sees it: post, reply in a thread, edit. */
export interface ChannelPort {
  post(view: MessageView, threadTs?: string): Promise<MessageRef>;
  update(ref: MessageRef, view: MessageView): Promise<void>;
}
