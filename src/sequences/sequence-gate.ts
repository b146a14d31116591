import type { CheckResult } from '../checks/check-result';
import type { Gate } from '../gates/gate-runner';
import type { Hop } from '../plan/plan';
import { needsFix } from './sequence-audit';
import type { SequenceService } from './sequence-service';

/**
 * Sequences as a gate. Logical and DMS hops always have sequences behind before the cutover (they
 * do not carry sequence values): that is a warning, fixed at the cutover's sequence step. Anything
 * unreadable or near its maximum fails; behind on a physical hop fails (it should never be).
 */
export function sequenceGate(hop: Hop, sequences: SequenceService): Gate {
  return {
    id: `sequences:${hop.id}`,
    label: 'Sequences',
    source: `target ${hop.target.id}`,
    async run(): Promise<CheckResult[]> {
      const { audit } = await sequences.audit(hop);
      const unreadable = audit.findings.filter((f) => f.problems.includes('unreadable'));
      const nearMax = audit.findings.filter((f) => f.problems.includes('near-max'));
      const behind = audit.findings.filter((f) => f.problems.includes('behind') || f.problems.includes('behind-source'));
      const fixable = needsFix(audit);
      const base = { id: 'sequences', label: 'Sequences on the target', source: `target ${hop.target.id}`, observedAt: audit.checkedAt };
      if (unreadable.length || nearMax.length) {
        return [{ ...base, status: 'fail', value: `${unreadable.length} unreadable, ${nearMax.length} near their maximum`, detail: [...unreadable, ...nearMax].slice(0, 3).map((f) => f.sequence).join(', ') }];
      }
      if (!fixable) return [{ ...base, status: 'ok', value: `${audit.findings.length} sequences ahead of their columns` }];
      const what = `${behind.length} behind, ${audit.missingDefaults.length} lost defaults`;
      if (hop.method === 'physical') return [{ ...base, status: 'fail', value: what, detail: 'a physical standby should carry its sequences: look before cutting over' }];
      return [{ ...base, status: 'warn', value: what, detail: 'fixed by the cutover before the app takes writes (or now: `/migrate sequences fix`)' }];
    },
  };
}
