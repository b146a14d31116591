import { historyView } from '../views/history-view';
import { UsageError, type Subcommand } from './subcommand';

const MAX = 100;

export const historyCommand: Subcommand = {
  name: 'history',
  usage: 'history [n]',
  summary: `The last n entries of the audit log (default 20, at most ${MAX})`,
  mutating: false,
  changesMigration: false,
  async run(inv, c) {
    if (inv.args.length > 1) throw new UsageError('history takes one number at most');
    const n = inv.args.length ? Number(inv.args[0]) : 20;
    if (!Number.isInteger(n) || n < 1 || n > MAX) throw new UsageError(`n must be a whole number from 1 to ${MAX}`);
    return { reply: historyView(await c.audit.recent(n)) };
  },
};
