import { healthView } from '../views/health-view';
import { hopArgument } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

export const healthCommand: Subcommand = {
  name: 'health',
  usage: 'health [hop]',
  summary: 'Go / no-go for a cutover: every gate (hold, lag, DMS, error tracker, status pages) with its reason',
  mutating: false,
  changesMigration: false,
  async run(inv, c) {
    if (inv.args.length > 1) throw new UsageError('health takes one hop at most');
    const hop = await hopArgument(inv.args[0], c);
    const report = await c.gates.goNoGo(hop);
    return { reply: healthView(hop, report), detail: `${report.go ? 'GO' : 'NO-GO'}: ${report.blocking.map((b) => b.id).join(', ')}` };
  },
};
