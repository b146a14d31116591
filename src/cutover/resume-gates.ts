import type { GateRunner } from '../gates/gate-runner';
import type { HealthGates } from '../gates/health-gates';
import type { Hop } from '../plan/plan';
import type { CutoverRun } from './cutover-run';

// Gates that measure replication: once the app's writes stopped, the fence (not these) proves the target caught up,
// and after the target is detached they cannot pass (a promoted standby has no lag to measure).
const REPLICATION_GATE = /^(lag|dms|cdc|sequences):/;

/**
 * What blocks a Resume now: every gate, fresh — the hold, the error tracker, the status pages, and
 * while the app still writes to the source, replication too. The reasons, [] when all pass.
 */
export async function resumeGates(gates: HealthGates, runner: GateRunner, hop: Hop, run: CutoverRun): Promise<string[]> {
  const writesStopped = run.steps['stop-writes']?.status !== 'pending';
  const chosen = gates.gatesFor(hop).filter((g) => !writesStopped || !REPLICATION_GATE.test(g.id));
  const report = await runner.evaluate(chosen, { fresh: true });
  if (report.go) return [];
  return report.blocking.length ? report.blocking.map((b) => `${b.label}${b.detail ? ` (${b.detail})` : ''}`) : ['no gate could be evaluated'];
}
