import type { CheckResult } from '../checks/check-result';
import type { Gate } from '../gates/gate-runner';
import type { Hop, HopMethod } from '../plan/plan';
import { isBehind, needsFix, type SequenceAudit } from './sequence-audit';
import type { SequenceService } from './sequence-service';

/** Sequences as a gate of `hop`, from a fresh audit of its target. */
export function sequenceGate(hop: Hop, sequences: SequenceService): Gate {
  return {
    id: `sequences:${hop.id}`,
    label: 'Sequences',
    source: `target ${hop.target.id}`,
    async run(): Promise<CheckResult[]> {
      const { audit } = await sequences.audit(hop);
      return [sequenceGateResult(hop.method, hop.target.id, audit)];
    },
  };
}

/**
 * Logical and DMS hops always have sequences behind before the cutover (they do not carry sequence
 * values): a warning, fixed at the cutover's sequence step. Anything unreadable or near its maximum
 * fails. A physical standby replays its sequences with the WAL, so trailing the source's sequence is
 * only replication lag while the app writes; behind its own columns, or a lost default, fails.
 */
export function sequenceGateResult(method: HopMethod, target: string, audit: SequenceAudit): CheckResult {
  const base = { id: 'sequences', label: 'Sequences on the target', source: `target ${target}`, observedAt: audit.checkedAt };
  const unreadable = audit.findings.filter((f) => f.problems.includes('unreadable'));
  const nearMax = audit.findings.filter((f) => f.problems.includes('near-max'));
  if (unreadable.length || nearMax.length) {
    return { ...base, status: 'fail', value: `${unreadable.length} unreadable, ${nearMax.length} near their maximum`, detail: [...unreadable, ...nearMax].slice(0, 3).map((f) => f.sequence).join(', ') };
  }
  if (method === 'physical') {
    const behind = audit.findings.filter((f) => f.problems.includes('behind') || f.problems.includes('missing'));
    const trailing = audit.findings.filter((f) => f.problems.includes('behind-source') && !f.problems.includes('behind')).length;
    if (behind.length || audit.missingDefaults.length) {
      return { ...base, status: 'fail', value: `${behind.length} behind their columns, ${audit.missingDefaults.length} lost defaults`, detail: 'a physical standby should carry its sequences: look before cutting over' };
    }
    const lag = trailing ? `; ${trailing} trail the source by replication lag and catch up with the WAL` : '';
    return { ...base, status: 'ok', value: `${audit.findings.length} sequences ahead of their columns${lag}` };
  }
  const always = audit.identityToAlways.length ? `; ${audit.identityToAlways.length} identity columns become ALWAYS at the cutover` : '';
  if (!needsFix(audit)) return { ...base, status: 'ok', value: `${audit.findings.length} sequences ahead of their columns${always}` };
  const behind = audit.findings.filter(isBehind);
  return { ...base, status: 'warn', value: `${behind.length} behind, ${audit.missingDefaults.length} lost defaults${always}`, detail: 'fixed by the cutover before the app takes writes (or now: `/migrate sequences fix`)' };
}
