import { needsFix } from '../sequences/sequence-audit';
import { sequenceFixFile } from '../sequences/sequence-fix-file';
import { sequencesCheckView, sequencesCsv, FINDINGS_IN_MESSAGE } from '../views/sequences-view';
import { counted, notice } from '../views/slack-text';
import { leadingHop } from './hop-argument';
import { refuseUnlessOperatorWithLock } from './operator-with-lock';
import { requestApproval } from './request-approval';
import { UsageError, type Subcommand } from './subcommand';

const saysFix = (args: string[]) => args.some((a) => a.toLowerCase() === 'fix');

export const sequencesCommand: Subcommand = {
  name: 'sequences',
  usage: 'sequences [hop] check | fix',
  summary: 'Audit every sequence on the target against its columns and the source; fix them (SQL shown, after approval)',
  mutating: false,
  changesMigration: (args) => saysFix(args),
  // A fix is refused without the lock and runs after approvals; a check runs at once, for anyone.
  databaseCost: (args) => (saysFix(args) ? undefined : 'sequences check'),
  async run(inv, c) {
    const args = [...inv.args];
    const hop = await leadingHop(args, c);
    const verb = (args.shift() ?? 'check').toLowerCase();
    if (args.length || !['check', 'fix'].includes(verb)) throw new UsageError(`expected check or fix${args.length ? ', and nothing after it' : ''}`);
    if (verb === 'check') {
      const { audit, sourceError } = await c.sequences.audit(hop, inv.now);
      const long = audit.findings.filter((f) => f.problems.length).length > FINDINGS_IN_MESSAGE || audit.missingDefaults.length > FINDINGS_IN_MESSAGE;
      return {
        reply: sequencesCheckView(hop, audit, sourceError),
        files: long ? [{ filename: `sequences-${hop.id}.csv`, title: `Sequences on ${hop.id}`, data: Buffer.from(sequencesCsv(audit)) }] : undefined,
        detail: needsFix(audit) ? 'fix needed' : 'ok',
      };
    }
    const refusal = await refuseUnlessOperatorWithLock(inv, c, 'Fixing sequences');
    if (refusal) return refusal;
    const { audit, sql, sourceError } = await c.sequences.plan(hop);
    if (!sql.length) return { reply: sequencesCheckView(hop, audit, sourceError), detail: 'nothing to fix' };
    const bound = new Set(sql.flatMap((st) => (st.sourceNextOf ? [st.sourceNextOf] : []))).size;
    const asked = await requestApproval(c, {
      kind: 'sequences.fix',
      title: `Fix ${sql.length} sequence statement${sql.length === 1 ? '' : 's'} on ${hop.target.id} (${hop.id})`,
      steps: [
        `Run the ${sql.length} statements below in one transaction on ${hop.target.id}`,
        ...(bound ? [`Read the source's next value of ${bound} sequence${bound === 1 ? '' : 's'} first and bind it as $1: each setval takes GREATEST(column max + increment + gap, $1, its own next value) (LEAST for descending), so a source that moved on since this request is followed`] : []),
        'Then audit again and report the values used',
      ],
      params: { hop: hop.id, statements: sql, epoch: (await c.migration.read()).epoch },
      code: { filename: `sequence-fix-${hop.id}.sql`, text: sequenceFixFile(hop.id, hop.target.id, sql), statements: sql.length },
      requester: inv.user,
      exclusive: `sequences.fix:${hop.id}`,
    });
    if ('refusal' in asked) return asked.refusal;
    const req = asked.request;
    return {
      reply: notice(`The fix is ${counted(sql.length, 'statement', 'statements')}; the exact SQL is in the approval request in the channel, every statement in the .sql file in its thread. It runs after approval, in one transaction.`),
      detail: `approval ${req.id}`,
    };
  },
};
