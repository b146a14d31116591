import { notice } from '../views/slack-text';
import { hopArgument } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

export const setupCommand: Subcommand = {
  name: 'setup',
  usage: 'setup <hop>',
  summary: 'Create the heartbeat table on the hop\'s source (safe to run again)',
  mutating: true,
  changesMigration: true,
  async run(inv, c) {
    if (inv.args.length !== 1) throw new UsageError('name the hop to set up');
    const hop = await hopArgument(inv.args[0], c);
    try {
      const done = await c.monitor.setup(hop);
      return { reply: notice(`Set up *${hop.id}*:\n• ${done.join('\n• ')}\nThe bot writes a heartbeat on ${hop.source.id} every few seconds; \`/migrate lag\` reads it on ${hop.target.id}.`), detail: hop.id };
    } catch (e) {
      return { reply: notice(`:x: Setup of *${hop.id}* failed: ${(e as Error).message}`), outcome: 'refused', detail: (e as Error).message };
    }
  },
};
