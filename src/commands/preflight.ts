import { preflightFixes, preflightView, FIXES_IN_MESSAGE_CHARS } from '../views/preflight-view';
import { hopArgument } from './hop-argument';
import { UsageError, type Subcommand } from './subcommand';

export const preflightCommand: Subcommand = {
  name: 'preflight',
  usage: 'preflight [hop]',
  summary: "Check, as each role the plan uses, every privilege and setting the hop's cutover needs; says the exact GRANT or IAM policy for each one missing",
  mutating: false,
  changesMigration: false,
  // A connection per URL and a few AWS calls: once a minute per person.
  databaseCost: () => 'preflight',
  async run(inv, c) {
    if (inv.args.length > 1) throw new UsageError('preflight takes one hop at most');
    const hop = await hopArgument(inv.args[0], c);
    const report = await c.preflight.report(hop, true);
    const fixes = preflightFixes(report);
    const file = fixes.length > FIXES_IN_MESSAGE_CHARS ? `preflight-${hop.id}.txt` : undefined;
    const missing = report.checks.filter((x) => x.status === 'fail' || x.status === 'unknown');
    return {
      reply: preflightView(hop, report, file),
      files: file ? [{ filename: file, title: `Preflight fixes for ${hop.id}`, data: Buffer.from(fixes) }] : undefined,
      detail: missing.length ? `missing: ${missing.map((x) => x.id).join(', ')}` : 'ok',
    };
  },
};
