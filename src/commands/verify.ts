import { notice } from '../views/slack-text';
import { leadingHop } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

export const verifyCommand: Subcommand = {
  name: 'verify',
  usage: 'verify [hop] [--checksum]',
  summary: 'Source against target for every table (rows, max key, sampled checksums), in the background',
  mutating: false,
  changesMigration: false,
  // Counts rows and reads max keys of every table on both databases; checksums read more.
  databaseCost: (args) => (args.includes('--checksum') ? 'verify --checksum' : 'verify'),
  async run(inv, c) {
    const args = [...inv.args];
    const hop = await leadingHop(args, c);
    const checksum = args.includes('--checksum');
    const unknown = args.filter((a) => a !== '--checksum');
    if (unknown.length) throw new UsageError(`unexpected ${unknown.join(' ').slice(0, 60)}`);
    const started = await c.verify.start(hop, inv.user, checksum);
    if (!started) return { reply: notice(`A verify of *${hop.id}* is already running; its progress is in the channel.`), outcome: 'refused' };
    return { reply: notice(`Verify of *${hop.id}* started${checksum ? ' with sampled checksums' : ''}: progress and mismatches will be posted in the channel.`), detail: hop.id };
  },
};
