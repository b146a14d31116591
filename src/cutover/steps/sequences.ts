import { needsFix } from '../../sequences/sequence-audit';
import { sequenceFixSql } from '../../sequences/sequence-fix';
import type { Hop } from '../../plan/plan';
import type { Step } from './step';

/** Sequences on the target: checked (physical) or fixed (logical, DMS) while writes are stopped. */
export function sequencesStep(hop: Hop): Step {
  return {
    id: 'sequences',
    title: hop.method === 'physical' ? 'Check sequences on the target' : 'Check and fix sequences on the target',
    describe: () => ['audit every sequence on the target (one catalog query)', hop.method === 'physical' ? 'fail if any is behind' : 'SELECT setval(…, GREATEST(max + increment, source next, own next), false) for each one behind, in one transaction; recreate lost defaults; audit again'],
    async run(d) {
      const { audit } = await d.sequences.audit(hop);
      if (!needsFix(audit)) return `${audit.findings.length} sequences ahead of their columns`;
      if (hop.method === 'physical') throw new Error('sequences are behind on a physical standby: look before going on');
      const sql = sequenceFixSql(audit, d.plan.sequences.safetyGap);
      const after = await d.sequences.apply(hop, sql);
      if (needsFix(after.audit)) throw new Error(`${sql.length} statements ran, yet sequences are still behind`);
      return `${sql.length} statements fixed the sequences; audit afterwards clean`;
    },
  };
}
