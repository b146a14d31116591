import { escapeText, notice } from '../views/slack-text';
import { leadingHop } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

export const acknowledgeCommand: Subcommand = {
  name: 'acknowledge',
  usage: 'acknowledge [hop]',
  summary: "Acknowledge the warnings of a hop's cutover (archiving off, no standby…): `status` stops listing them",
  mutating: true,
  changesMigration: true,
  async run(inv, c) {
    const args = [...inv.args];
    const hop = await leadingHop(args, c);
    if (args.length) throw new UsageError(`unexpected ${args.join(' ').slice(0, 60)}`);
    const acked = await c.runs.update(hop.id, (r) => (r.warnings?.length && !r.warningsAcknowledged ? { ...r, warningsAcknowledged: { by: inv.user, at: inv.now } } : undefined));
    if (!acked) return { reply: notice(`The cutover of *${hop.id}* has no warnings waiting to be acknowledged.`), detail: 'nothing to acknowledge' };
    const list = (acked.warnings ?? []).map((w) => w.text);
    return {
      reply: notice(`Acknowledged ${list.length} warning${list.length === 1 ? '' : 's'} of the cutover of *${hop.id}*.`),
      announce: notice(`:ballot_box_with_check: <@${inv.user}> acknowledged the warnings of the cutover of *${hop.id}*:\n${list.map((t) => `• ${escapeText(t)}`).join("\n")}`),
      detail: list.join('; ').slice(0, 500),
    };
  },
};
