import type { CheckResult, CheckStatus } from '../../checks/check-result';
import type { Gate } from '../../gates/gate-runner';
import type { Hop, Plan } from '../../plan/plan';
import { counted } from '../../views/slack-text';
import type { FullVerifySummary } from './full-verify-store';

/**
 * The latest full verify of a hop as a check: ok when it finished recently with no persistent
 * difference; missing, stale, cancelled, failed or differing is a warning, or a failure with
 * `verify.gate: fail`.
 */
export function fullVerifyCheck(hop: Hop, plan: Plan, last: FullVerifySummary | undefined, now = Date.now()): CheckResult {
  const bad: CheckStatus = plan.verify.gate === 'fail' ? 'fail' : 'warn';
  const maxAgeMs = plan.verify.maxAgeHours * 3600_000;
  const base = { id: `verify.full:${hop.id}`, label: 'Full verify', source: `hop ${hop.id}`, observedAt: now, threshold: `wanted: no persistent difference, ≤ ${plan.verify.maxAgeHours} h old` };
  if (!last) return { ...base, status: bad, value: 'never run', detail: `no full verify of ${hop.id} yet: run /migrate verify ${hop.id} --full` };
  const age = now - last.finishedAt;
  const ageText = `${(age / 3600_000).toFixed(age < 36_000_000 ? 1 : 0)} h ago`;
  const value = `${counted(last.differences, 'persistent difference', 'persistent differences')}, ${last.inFlight} in flight, ${ageText} (${last.mode ?? 'unknown'} source)`;
  if (last.status !== 'done') return { ...base, status: bad, value, detail: `the latest full verify was ${last.status}${last.failure ? `: ${last.failure}` : ''}: run it again` };
  if (last.differences > 0) return { ...base, status: bad, value, detail: `${counted(last.differences, 'persistent difference', 'persistent differences')} in ${counted(last.differingTables, 'table', 'tables')} (keys in the verify's thread)` };
  if (last.unconfirmedTables) {
    const n = counted(last.unconfirmedTables, 'table without a primary key', 'tables without a primary key');
    return { ...base, status: bad, value, detail: `${n} kept changing and differed at both looks: without keys a loss cannot be told from writes in flight; run it again once writes stop (after the fence)` };
  }
  if (age > maxAgeMs) return { ...base, status: bad, value, detail: `the latest full verify is older than ${plan.verify.maxAgeHours} h: run it again` };
  return { ...base, status: 'ok', value };
}

/** The full verify as one of a hop's gates. */
export function fullVerifyGate(hop: Hop, plan: Plan, last: (hop: Hop) => Promise<FullVerifySummary | undefined>): Gate {
  return { id: `verify.full:${hop.id}`, label: 'Full verify', source: `hop ${hop.id}`, run: async () => [fullVerifyCheck(hop, plan, await last(hop))] };
}
