import { statusView } from '../views/status-view';
import type { Subcommand } from './subcommand';

export const statusCommand: Subcommand = {
  name: 'status',
  usage: 'status',
  summary: 'Where the migration is: current hop and step, lock, hold, pending approvals',
  mutating: false,
  async run(inv, c) {
    const [migration, lock, pending] = await Promise.all([c.migration.read(), c.lock.read(), c.approvalStore.pending()]);
    return { reply: statusView({ plan: c.plan, migration, lock, pending, now: inv.now }) };
  },
};
