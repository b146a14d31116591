import type { KnownBlock } from '@slack/types';

/** A message as the bot sends it: fallback text for notifications plus Block Kit blocks. */
export interface MessageView {
  text: string;
  blocks: KnownBlock[];
}

// Slack's limits: 3,000 characters per section text, 50 blocks per message.
const SECTION_TEXT_MAX = 3000;
const BLOCKS_MAX = 50;

export const mention = (user: string) => (user === 'bot' ? 'the bot' : `<@${user}>`);

/** Slack renders this in each reader's own time zone; the fallback is UTC. */
export function slackTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const fallback = new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}

/** "3 min", "2 h 5 min", "4 d 3 h": how long, for people. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "1 sequence", "2 sequences": `n` and the word, singular or plural. */
export function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Escapes user-supplied text so it cannot ping @channel or forge links. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function section(markdown: string): KnownBlock {
  const text = markdown.length > SECTION_TEXT_MAX ? `${markdown.slice(0, SECTION_TEXT_MAX - 1)}…` : markdown;
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function header(text: string): KnownBlock {
  return { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } };
}

export function context(markdown: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: markdown.slice(0, SECTION_TEXT_MAX) }] };
}

export const divider: KnownBlock = { type: 'divider' };

/** Keeps a message within Slack's block limit, saying what was left out. */
export function withinLimits(view: MessageView): MessageView {
  if (view.blocks.length <= BLOCKS_MAX) return view;
  const kept = view.blocks.slice(0, BLOCKS_MAX - 1);
  return { ...view, blocks: [...kept, context(`…${view.blocks.length - kept.length} more blocks not shown`)] };
}

/** A plain one-paragraph message. */
export function notice(markdown: string): MessageView {
  return { text: markdown, blocks: [section(markdown)] };
}
