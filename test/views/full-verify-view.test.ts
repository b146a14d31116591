import type { FullVerifySummary } from '../../src/verify/full/full-verify-store';
import type { TableVerdict } from '../../src/verify/full/table-verdict';
import { fullVerifyProgressView, fullVerifySummaryViews, type FullVerifyProgress } from '../../src/views/verify-view';

const progress = (o: Partial<FullVerifyProgress>): FullVerifyProgress => ({
  hop: 'hop-1', user: 'U0BOB', runId: 'r1', mode: 'fenced', tables: 1, tablesDone: 1, rowsTotal: 1, rowsDone: 1, rowsThisProcess: 1,
  startedAt: 0, resumedAt: 0, resumes: 0, differences: 0, inFlight: 0, state: 'done', ...o,
});
const verdict = (o: Partial<TableVerdict>): TableVerdict => ({ table: 'public.orders', compared: 'keyed', key: ['id'], rowsSource: 3, rowsTarget: 3, differences: [], inFlight: [], unnamed: 0, problems: [], ms: 1, ...o });

describe('the full verify in words: counts agree with their nouns', () => {
  test('one of each is singular, more are plural, thousands are grouped', () => {
    expect(fullVerifyProgressView(progress({ differences: 1 }), 1000).text).toContain('finished 1 persistent difference (every key in the thread)');
    expect(fullVerifyProgressView(progress({ tables: 1, inFlight: 1 }), 1000).text).toContain('every row of 1 table matches (1 row in flight, listed apart)');
    expect(fullVerifyProgressView(progress({ tables: 2, inFlight: 1200 }), 1000).text).toContain('every row of 2 tables matches (1,200 rows in flight, listed apart)');
    const summary: FullVerifySummary = { runId: 'r1', hop: 'hop-1', status: 'done', mode: 'live', startedAt: 0, finishedAt: 1, tables: 1, rows: 1, differences: 1, differingTables: 1, inFlight: 0 };
    const views = fullVerifySummaryViews('hop-1', summary, [verdict({ differences: [{ key: ['7'], kind: 'missing' }] })]);
    expect(views[0].text).toBe('Full verify of hop-1 (live source): 1 table, 1 row; 1 persistent difference in 1 table; 0 in flight');
    expect(JSON.stringify(views[1].blocks)).toContain('`public.orders`: 1 differing key: id=7 missing on the target');
  });

  test('in-flight rows are listed in key order, in words that do not read as a loss', () => {
    const summary: FullVerifySummary = { runId: 'r1', hop: 'hop-1', status: 'done', mode: 'live', startedAt: 0, finishedAt: 1, tables: 1, rows: 30, differences: 0, differingTables: 0, inFlight: 3 };
    const v = verdict({ inFlight: [{ key: ['30'], kind: 'extra' }, { key: ['4'], kind: 'missing' }, { key: ['12'], kind: 'different', columns: ['amount'] }] });
    const text = JSON.stringify(fullVerifySummaryViews('hop-1', summary, [v]).map((x) => x.blocks));
    expect(text).toContain('`public.orders`: id=4 not yet on the target; id=12 changing (amount); id=30 not yet gone from the target');
    expect(text).not.toMatch(/missing on the target|extra on the target/);
  });
});
