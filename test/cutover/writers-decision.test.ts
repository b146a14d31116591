import type { CutoverRun } from '../../src/cutover/cutover-run';
import { recordWritersDecision } from '../../src/cutover/writers-decision';
import type { SourceWriter } from '../../src/checks/source-writers';

const writer: SourceWriter = { pid: 4242, backendStart: '2026-11-30T09:00:00.123456Z', role: 'nightly_job', application: 'nightly-reconcile', client: '10.0.0.7', database: 'app', connectedSeconds: 120, why: 'idle for 0.1 s after a statement that writes: INSERT INTO t' };

function stoppedAtWriters(over: Partial<CutoverRun> = {}): CutoverRun {
  return {
    id: 'hop-one-1-7',
    hop: 'hop-one',
    requester: 'U0OPS1',
    fence: 7,
    attempt: 1,
    owner: 'p1',
    status: 'failed',
    steps: { announce: { status: 'done', attempts: 1 }, 'stop-writes': { status: 'done', attempts: 1 }, writers: { status: 'failed', attempts: 1 }, fence: { status: 'pending', attempts: 0 } },
    startedAt: 1,
    strayWriters: { listedAt: 1000, writers: [writer] },
    ...over,
  };
}

const decide = (run: CutoverRun | undefined, kind: 'terminate' | 'continue', d: Partial<{ runId: string; listedAt: number }> = {}) =>
  recordWritersDecision(run, kind, { hop: 'hop-one', runId: d.runId ?? 'hop-one-1-7', listedAt: d.listedAt ?? 1000, by: 'U0OPS1', approvedBy: ['U0APP1', 'U0APP2'], at: 5000 });

describe('a decision about stray writers is recorded only on the run and the list it was made for', () => {
  test('Terminate is recorded with exactly the listed sessions; Continue anyway adds to the sessions let through', () => {
    expect(decide(stoppedAtWriters(), 'terminate').next?.strayWriters?.terminate).toEqual({ by: 'U0OPS1', approvedBy: ['U0APP1', 'U0APP2'], at: 5000, writers: [writer] });
    const earlier = { by: 'U0OPS2', approvedBy: ['U0APP3'], at: 10, writers: [{ ...writer, pid: 1 }] };
    const run = stoppedAtWriters({ strayWriters: { listedAt: 1000, writers: [writer], continued: [earlier] } });
    expect(decide(run, 'continue').next?.strayWriters?.continued).toEqual([earlier, { by: 'U0OPS1', approvedBy: ['U0APP1', 'U0APP2'], at: 5000, writers: [writer] }]);
  });

  test.each<[string, CutoverRun | undefined, Partial<{ runId: string; listedAt: number }>, RegExp]>([
    ['no run', undefined, {}, /there is no cutover of hop-one/],
    ['another run', stoppedAtWriters({ id: 'hop-one-2-9' }), {}, /this is for run hop-one-1-7; the cutover of hop-one is run hop-one-2-9 now/],
    ['a newer list', stoppedAtWriters(), { listedAt: 999 }, /ran again since, with a new list/],
    ['resumed meanwhile', stoppedAtWriters({ status: 'running' }), {}, /not stopped at the writers check now \(it is running\)/],
    ['stopped at another step', stoppedAtWriters({ steps: { writers: { status: 'done', attempts: 1 }, fence: { status: 'failed', attempts: 1 } } }), {}, /not stopped at the writers check/],
    ['an abort asked for', stoppedAtWriters({ abortRequested: 'U0OPS2' }), {}, /<@U0OPS2> asked to abort/],
  ])('refused with %s', (_what, run, d, why) => {
    for (const kind of ['terminate', 'continue'] as const) {
      const out = decide(run, kind, d);
      expect(out.next).toBeUndefined();
      expect(out.why).toMatch(why);
    }
  });
});
