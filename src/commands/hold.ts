import { placeHold } from '../migration/hold';
import { holdPlacedView } from '../views/hold-view';
import { escapeText, mention, notice } from '../views/slack-text';
import { UsageError, type Subcommand } from './subcommand';

export const holdCommand: Subcommand = {
  name: 'hold',
  usage: 'hold <reason>',
  summary: 'Block every cutover until `unhold` (e.g. "Rollbar is down")',
  mutating: true,
  changesMigration: true,
  async run(inv, c) {
    const reason = inv.rest.slice(0, 500);
    if (!reason) throw new UsageError('a hold needs a reason');
    const out = await c.migration.update((m) => placeHold(m, reason, inv.user, inv.now), inv.now);
    if (!out.placed) {
      return {
        reply: notice(`A hold is already in place (by ${mention(out.existing.by)}: "${escapeText(out.existing.reason)}"). Lift it with \`/migrate unhold\` first.`),
        outcome: 'refused',
      };
    }
    return { reply: notice('Hold placed: no cutover can start until `/migrate unhold`.'), announce: holdPlacedView(reason, inv.user), detail: reason };
  },
};
