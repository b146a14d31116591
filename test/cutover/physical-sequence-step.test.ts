import type { CutoverRun } from '../../src/cutover/cutover-run';
import { sequencesStep } from '../../src/cutover/steps/sequences';
import type { RunbookDeps } from '../../src/cutover/steps/step';
import type { Hop } from '../../src/plan/plan';
import type { SequenceAudit, SequenceFinding } from '../../src/sequences/sequence-audit';

const hop = { id: 'hop-one', method: 'physical', source: { id: 'source' }, target: { id: 'target' } } as unknown as Hop;
const finding = (sequence: string, problems: SequenceFinding['problems']): SequenceFinding => ({ sequence, columns: [], increment: 1n, problems }) as unknown as SequenceFinding;

function deps(audit: Partial<SequenceAudit>, run: Partial<CutoverRun> = {}) {
  const warnings: string[] = [];
  const d = {
    sequences: { audit: async () => ({ audit: { findings: [], missingDefaults: [], checkedAt: 0, ...audit } }) },
    run: () => run as CutoverRun,
    warn: async (text: string) => void warnings.push(text),
  } as unknown as RunbookDeps;
  return { d, warnings };
}

// Seen in CI: after an approved Continue anyway the stray session kept writing on the source, its sequence
// moved past the promoted standby's, and the step stopped the run as if the standby were broken.
describe("a physical hop's sequence step after promotion", () => {
  const step = sequencesStep(hop);

  test('a source sequence past the target after an approved Continue anyway is a warning, and the run goes on', async () => {
    const { d, warnings } = deps({ findings: [finding('public.stray_rows_id_seq', ['behind-source']), finding('public.orders_id_seq', [])] }, { strayWriters: { continued: [{ by: 'U0OPS1' }] } as never });
    await expect(step.run(d)).resolves.toBe('2 sequences ahead of their columns; 1 moved on the source after the fence');
    expect(warnings).toEqual([expect.stringMatching(/1 sequence on the source moved past the promoted target's after the fence \(public\.stray_rows_id_seq\).*Continue anyway/)]);
  });

  test('without a Continue anyway it stops the run: writes got past the fence, and Abort keeps them', async () => {
    const { d } = deps({ findings: [finding('public.orders_id_seq', ['behind-source'])] });
    await expect(step.run(d)).rejects.toThrow(/moved past the promoted target's after the fence .* Abort brings the app back on the source, with them/);
  });

  test('a sequence behind its own columns, or unreadable, always stops the run', async () => {
    await expect(step.run(deps({ findings: [finding('public.orders_id_seq', ['behind'])] }).d)).rejects.toThrow(/behind their own columns: public\.orders_id_seq \(behind\)/);
    await expect(step.run(deps({ findings: [finding('public.orders_id_seq', ['unreadable'])] }).d)).rejects.toThrow(/public\.orders_id_seq \(unreadable\)/);
  });
});
