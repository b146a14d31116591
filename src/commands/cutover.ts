import { runbook, stepPreviews } from '../cutover/runbook';
import { beginCutover } from '../migration/migration-machine';
import { cutoverDryRunView } from '../views/cutover-view';
import { healthView } from '../views/health-view';
import { notice } from '../views/slack-text';
import { leadingHop } from './hop-argument';
import { refuseUnlessOperatorWithLock } from './operator-with-lock';
import { requestApproval } from './request-approval';
import { UsageError, type Subcommand } from './subcommand';

export const cutoverCommand: Subcommand = {
  name: 'cutover',
  usage: 'cutover [hop] [--dry-run]',
  summary: 'Cut over a hop: every gate, then approval by teammates, then the runbook with a live timeline; --dry-run shows every call',
  mutating: false,
  // A dry run only prints the steps.
  changesMigration: (args) => !args.includes('--dry-run'),
  async run(inv, c) {
    const args = [...inv.args];
    const hop = await leadingHop(args, c);
    const dryRun = args.includes('--dry-run');
    const unknown = args.filter((a) => a !== '--dry-run');
    if (unknown.length) throw new UsageError(`unexpected ${unknown.join(' ').slice(0, 60)}`);
    if (dryRun) return { reply: cutoverDryRunView(c.plan, hop, await stepPreviews(hop, c.stepDeps(hop))) };
    const refusal = await refuseUnlessOperatorWithLock(inv, c, 'A cutover');
    if (refusal) return refusal;
    const m = await c.migration.read();
    // Asked now, decided again when the approval completes: the request carries the epoch it was made in.
    // A hold is one of the gates: the go/no-go report below names it with the rest.
    const allowed = beginCutover({ ...m, hold: undefined }, hop.id, { runId: 'request', now: inv.now });
    if (!allowed.ok) return { reply: notice(`:no_entry: Cannot cut over *${hop.id}*: ${allowed.why}.`), outcome: 'refused', detail: allowed.why };
    const ready = c.cutoverReadiness(hop);
    if (ready) return { reply: notice(`:no_entry: Cannot cut over *${hop.id}*: ${ready}`), outcome: 'refused', detail: ready };
    const report = await c.gates.goNoGo(hop, true);
    if (!report.go) {
      return { reply: notice(`:no_entry: Not now: the go/no-go report says NO-GO (posted in the channel).`), announce: healthView(hop, report), outcome: 'refused', detail: report.blocking.map((b) => b.id).join(', ') };
    }
    const asked = await requestApproval(c, {
      kind: 'cutover',
      title: `Cutover of ${hop.id} (${hop.source.id} → ${hop.target.id})`,
      steps: runbook(hop).map((s) => s.title),
      notes: ['Every gate is checked again before it starts; if one turns bad while this waits, this request is withdrawn.'],
      params: { hop: hop.id, epoch: m.epoch },
      requester: inv.user,
      exclusive: `cutover:${hop.id}`,
    });
    if ('refusal' in asked) return asked.refusal;
    const req = asked.request;
    return { reply: notice('Every gate is ok: the approval request is in the channel.'), detail: `approval ${req.id}` };
  },
};
