import { liftHold } from '../migration/hold';
import { holdLiftedView } from '../views/hold-view';
import { notice } from '../views/slack-text';
import { UsageError, type Subcommand } from './subcommand';

export const unholdCommand: Subcommand = {
  name: 'unhold',
  usage: 'unhold',
  summary: 'Lift the hold',
  mutating: true,
  changesMigration: true,
  async run(inv, c) {
    if (inv.args.length) throw new UsageError('unhold takes no arguments');
    const lifted = await c.migration.update((m) => liftHold(m), inv.now);
    if (!lifted) return { reply: notice('There is no hold to lift.'), detail: 'no hold' };
    return { reply: notice('Hold lifted.'), announce: holdLiftedView(lifted, inv.user), detail: lifted.reason };
  },
};
