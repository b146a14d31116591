import { needsFix } from '../../sequences/sequence-audit';
import type { Hop } from '../../plan/plan';
import type { Step } from './step';

/**
 * Sequences on the target: checked (physical) or synced from the source (logical, DMS) while
 * writes are stopped. A source that cannot be read fails the step: the timeline offers Resume.
 */
export function sequencesStep(hop: Hop): Step {
  return {
    id: 'sequences',
    title: hop.method === 'physical' ? 'Check sequences on the target' : 'Check and fix sequences on the target',
    describe: () =>
      hop.method === 'physical'
        ? ['audit every sequence on the target (one catalog query) and the source', 'fail if any is behind its own columns; a source sequence past the target\'s means writes after the fence: fail, or warn when a Continue anyway let them through']
        : [
            'read every sequence on both ends (one catalog query each, values in batches); fail if the source cannot be read',
            'recreate lost defaults (identity BY DEFAULT), starting at GREATEST(max + increment + gap, source next)',
            'SELECT setval(…, GREATEST(max + increment + gap, source next, own next), false) for each one behind (LEAST for descending), and each standalone sequence from the source by name; 400 sequences per round trip, each batch its own transaction',
            'ALTER TABLE … ALTER COLUMN … SET GENERATED ALWAYS where the source has ALWAYS (the replication task is stopped by now)',
            'audit what the sync returned (each sequence\'s value and its columns\' max)',
          ],
    async run(d) {
      if (hop.method === 'physical') {
        const { audit } = await d.sequences.audit(hop);
        const own = [
          ...audit.findings.filter((f) => f.problems.includes('behind') || f.problems.includes('unreadable')).map((f) => `${f.sequence} (${f.problems.join(', ')})`),
          ...audit.missingDefaults.map((m) => `${m.source.tableName}.${m.source.column} (no default)`),
        ];
        if (own.length) throw new Error(`sequences on the promoted standby are behind their own columns: ${own.slice(0, 5).join(', ')}; look before going on`);
        // The standby replayed every sequence up to the fence; a source sequence past it means writes on the source after the fence.
        const moved = audit.findings.filter((f) => f.problems.includes('behind-source')).map((f) => f.sequence);
        if (moved.length) {
          const what = `${moved.length} sequence${moved.length === 1 ? '' : 's'} on the source moved past the promoted target's after the fence (${moved.slice(0, 5).join(', ')}): something wrote on the source after the fence, and those rows are not on the target`;
          if (!d.run().strayWriters?.continued?.length) throw new Error(`${what}. Abort brings the app back on the source, with them; Resume goes on without them`);
          await d.warn(`${what} (sessions were let through by Continue anyway)`);
        }
        return `${audit.findings.length} sequences ahead of their columns${moved.length ? `; ${moved.length} moved on the source after the fence` : ''}`;
      }
      const { statements, sequences, identities, after } = await d.sequences.syncForCutover(hop);
      if (needsFix(after) || after.findings.some((f) => f.problems.includes('unreadable'))) {
        const left = [...after.findings.filter((f) => f.problems.some((p) => p !== 'near-max')).map((f) => `${f.sequence} (${f.problems.join(', ')})`), ...after.missingDefaults.map((m) => `${m.source.tableName}.${m.source.column} (no default)`)];
        throw new Error(`${statements} statements ran, yet ${left.length} sequences are not in sync: ${left.slice(0, 5).join(', ')}`);
      }
      if (!statements) return `${sequences} sequences ahead of their columns and the source`;
      const always = identities ? `; ${identities} identity columns now GENERATED ALWAYS` : '';
      return `${statements} statements fixed the sequences; audit afterwards clean${always}`;
    },
  };
}
