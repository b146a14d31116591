import { guardedDmsAction } from '../dms/dms-guard';
import { tableName } from '../dms/table-summary';
import type { Hop } from '../plan/plan';
import { dmsStatusView, dmsTablesView, tablesCsv, TABLES_IN_MESSAGE } from '../views/dms-view';
import { escapeText, notice } from '../views/slack-text';
import { leadingHop } from './hop-argument';
import { refuseUnlessOperatorWithLock } from './operator-with-lock';
import { dmsRefusal, requestApproval } from './request-approval';
import { UsageError, type CommandResult, type Cutover, type Invocation, type Subcommand } from './subcommand';

const VERBS = ['status', 'tables', 'start', 'resume', 'stop', 'reload'];
const CHANGING_VERBS = ['start', 'resume', 'stop', 'reload'];

export const dmsCommand: Subcommand = {
  name: 'dms',
  usage: 'dms [hop] status | tables [errored|validation] | start [--reload-target] | resume | stop | reload <schema.table>...',
  summary: 'The DMS task of a hop: progress, ETA, tables; start, resume, stop (lock holder); full or table reloads (after approval)',
  mutating: false,
  changesMigration: (args) => args.some((a) => CHANGING_VERBS.includes(a.toLowerCase())),
  async run(inv, c) {
    const args = [...inv.args];
    const hop = await leadingHop(args, c);
    if (hop.method !== 'dms') throw new UsageError(`hop ${hop.id} is a ${hop.method} hop, not a dms hop`);
    const verb = (args.shift() ?? 'status').toLowerCase();
    if (!VERBS.includes(verb)) throw new UsageError(`unknown dms action "${verb.slice(0, 30)}"`);
    switch (verb) {
      case 'status':
        if (args.length) throw new UsageError('status takes no arguments');
        return { reply: dmsStatusView(await c.dms.report(hop, inv.now)) };
      case 'tables':
        return tables(hop, args, inv, c);
      case 'start':
        return start(hop, args, inv, c);
      case 'resume':
      case 'stop':
        return control(hop, verb, args, inv, c);
      default:
        return reload(hop, args, inv, c);
    }
  },
};

async function tables(hop: Hop, args: string[], inv: Invocation, c: Cutover): Promise<CommandResult> {
  const kind = args[0] ?? 'all';
  if (args.length > 1 || !['all', 'errored', 'validation'].includes(kind)) throw new UsageError('tables takes errored or validation');
  const report = await c.dms.report(hop, inv.now);
  if (!report.tables || !report.rows) return { reply: dmsStatusView(report) };
  const rows = kind === 'errored' ? report.tables.errored : kind === 'validation' ? report.tables.validationProblems : report.rows;
  const files = rows.length > TABLES_IN_MESSAGE ? [{ filename: `dms-${hop.id}-${kind}-tables.csv`, title: `DMS ${hop.id}: ${kind} tables`, data: Buffer.from(tablesCsv(rows)) }] : undefined;
  return { reply: dmsTablesView(hop.id, kind === 'all' ? '' : kind, rows), files };
}

async function start(hop: Hop, args: string[], inv: Invocation, c: Cutover): Promise<CommandResult> {
  const unknown = args.filter((a) => a !== '--reload-target');
  if (unknown.length) throw new UsageError(`unexpected ${unknown.join(' ')}`);
  const refusal = await refuseUnlessOperatorWithLock(inv, c, 'Starting the DMS task');
  if (refusal) return refusal;
  if (args.includes('--reload-target')) {
    const asked = await requestApproval(c, {
      kind: 'dms.reload-target',
      title: `Full reload of DMS hop ${hop.id}`,
      steps: [`Start DMS task ${hop.dms!.task} with reload-target: every table on ${hop.target.id} is truncated and loaded again`, 'Change data capture resumes after the full load'],
      params: { hop: hop.id, epoch: (await c.migration.read()).epoch },
      requester: inv.user,
      exclusive: `dms.reload:${hop.id}`,
    });
    if ('refusal' in asked) return asked.refusal;
    const req = asked.request;
    return { reply: notice('A full reload throws away the data on the target: an approval request is posted in the channel.'), detail: `approval ${req.id}` };
  }
  // A fresh start runs the full load again (the task's table preparation may truncate or drop): destructive.
  const task = await guardedDmsAction(c.migration, hop, { destructive: true, by: inv.user }, () => c.dms.start(hop, 'start-replication')).catch(dmsRefusal);
  if (!('id' in task)) return task;
  return { reply: notice(`DMS task *${escapeText(task.id)}* is ${task.status}.`), announce: notice(`:arrow_forward: <@${inv.user}> started DMS task *${escapeText(task.id)}* (${hop.id}): ${task.status}.`), detail: task.status };
}

async function control(hop: Hop, verb: 'resume' | 'stop', args: string[], inv: Invocation, c: Cutover): Promise<CommandResult> {
  if (args.length) throw new UsageError(`${verb} takes no arguments`);
  const refusal = await refuseUnlessOperatorWithLock(inv, c, `${verb === 'stop' ? 'Stopping' : 'Resuming'} the DMS task`);
  if (refusal) return refusal;
  const task = await guardedDmsAction(c.migration, hop, { destructive: false, by: inv.user }, () => (verb === 'stop' ? c.dms.stop(hop) : c.dms.start(hop, 'resume-processing'))).catch(dmsRefusal);
  if (!('id' in task)) return task;
  const icon = verb === 'stop' ? ':double_vertical_bar:' : ':arrow_forward:';
  return { reply: notice(`DMS task *${escapeText(task.id)}* is ${task.status}.`), announce: notice(`${icon} <@${inv.user}> ${verb === 'stop' ? 'stopped' : 'resumed'} DMS task *${escapeText(task.id)}* (${hop.id}): ${task.status}.`), detail: task.status };
}

async function reload(hop: Hop, args: string[], inv: Invocation, c: Cutover): Promise<CommandResult> {
  if (!args.length) throw new UsageError('name the tables to reload, as schema.table');
  const tables = args.map((a) => {
    const dot = a.indexOf('.');
    if (dot <= 0 || dot === a.length - 1) throw new UsageError(`"${a.slice(0, 60)}" is not schema.table`);
    return { schema: a.slice(0, dot), table: a.slice(dot + 1) };
  });
  const refusal = await refuseUnlessOperatorWithLock(inv, c, 'Reloading tables');
  if (refusal) return refusal;
  const asked = await requestApproval(c, {
    kind: 'dms.reload-tables',
    title: `Reload ${tables.length} table${tables.length === 1 ? '' : 's'} on DMS hop ${hop.id}`,
    steps: [`Reload on ${hop.target.id} (its rows are replaced): ${tables.map(tableName).join(', ')}`],
    params: { hop: hop.id, tables, epoch: (await c.migration.read()).epoch },
    requester: inv.user,
    exclusive: `dms.reload:${hop.id}`,
  });
  if ('refusal' in asked) return asked.refusal;
  const req = asked.request;
  return { reply: notice('Reloading throws away the target\'s rows of those tables: an approval request is posted in the channel.'), detail: `approval ${req.id}` };
}
