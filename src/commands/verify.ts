import { notice } from '../views/slack-text';
import { leadingHop } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

const FLAGS = new Set(['--checksum', '--full', '--cancel']);

export const verifyCommand: Subcommand = {
  name: 'verify',
  usage: 'verify [hop] [--checksum | --full [schema.table …] | --cancel]',
  summary: 'Source against target: quick (rows, max key, sampled checksums), or --full: every row compared inside both databases, differing keys named',
  mutating: false,
  changesMigration: false,
  // Counts rows and reads max keys of every table on both databases; checksums read more; --full reads every row.
  databaseCost: (args) => (args.includes('--full') ? 'verify --full' : args.includes('--checksum') ? 'verify --checksum' : args.includes('--cancel') ? undefined : 'verify'),
  async run(inv, c) {
    const args = [...inv.args];
    const hop = await leadingHop(args, c);
    const flags = args.filter((a) => FLAGS.has(a));
    if (flags.length > 1) throw new UsageError(`choose one of ${flags.join(', ')}`);
    if (flags[0] === '--cancel') {
      if (args.length > 1) throw new UsageError(`unexpected ${args.filter((a) => a !== '--cancel').join(' ').slice(0, 60)}`);
      const cancelled = await c.verify.full.cancel(hop, inv.user);
      if (!cancelled) return { reply: notice(`No full verify of *${hop.id}* is running.`), outcome: 'refused' };
      return { reply: notice(`Cancelling the full verify of *${hop.id}*: its running statements are stopped; the message says when it has.`), detail: hop.id };
    }
    if (flags[0] === '--full') {
      const tables = args.filter((a) => a !== '--full');
      const bad = tables.filter((t) => !/^[^.\s]+\.[^.\s]+$/.test(t));
      if (bad.length) throw new UsageError(`tables are named "schema.table": ${bad.join(' ').slice(0, 60)}`);
      const answer = await c.verify.full.start(hop, inv.user, tables.length ? tables : undefined);
      if (!answer.started) return { reply: notice(`A full verify of *${hop.id}* is already running; its progress is in the channel (\`/migrate verify ${hop.id} --cancel\` stops it).`), outcome: 'refused' };
      if (answer.started === 'resumed') return { reply: notice(`The interrupted full verify of *${hop.id}* (run ${answer.runId}) resumes where it stopped; finished tables are not compared again.`), detail: hop.id };
      return { reply: notice(`Full verify of *${hop.id}* started (run ${answer.runId}): every row of ${tables.length ? tables.join(', ') : 'every table'}; progress in the channel, differing keys in its thread.`), detail: hop.id };
    }
    const checksum = flags[0] === '--checksum';
    const unknown = args.filter((a) => !FLAGS.has(a));
    if (unknown.length) throw new UsageError(`unexpected ${unknown.join(' ').slice(0, 60)}`);
    const started = await c.verify.start(hop, inv.user, checksum);
    if (!started) return { reply: notice(`A verify of *${hop.id}* is already running; its progress is in the channel.`), outcome: 'refused' };
    return { reply: notice(`Verify of *${hop.id}* started${checksum ? ' with sampled checksums' : ''}: progress and mismatches will be posted in the channel.`), detail: hop.id };
  },
};
