import type { Subcommand } from '../commands/subcommand';
import { context, escapeText, section, type MessageView } from './slack-text';

export function helpView(subcommands: Subcommand[]): MessageView {
  const lines = subcommands.map((s) => `\`/migrate ${s.usage}\` — ${s.summary}${s.mutating ? ' _(operators)_' : ''}`);
  return {
    text: 'Cutover: /migrate subcommands',
    blocks: [section(`*Cutover* walks the migration step by step. Subcommands:\n${lines.join('\n')}`), context('Read commands are open to everyone; mutating ones need the plan\'s operators.')],
  };
}

/** The usage of one subcommand (or all of them) after a mistake, with what was wrong. */
export function usageView(sub: Subcommand | undefined, problem: string, all: Subcommand[]): MessageView {
  const usage = sub ? `Usage: \`/migrate ${sub.usage}\` — ${sub.summary}` : `Subcommands: ${all.map((s) => `\`${s.name}\``).join(', ')}. Try \`/migrate help\`.`;
  const text = `:warning: ${escapeText(problem)}.\n${usage}`;
  return { text, blocks: [section(text)] };
}
