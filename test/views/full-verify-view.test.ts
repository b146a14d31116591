import { parsePlan } from '../../src/plan/load-plan';
import { fullVerifyCheck } from '../../src/verify/full/full-verify-gate';
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

  test('tables without a key that kept changing and differed: a warning in the message and in the gate, never ✅', () => {
    expect(fullVerifyProgressView(progress({ tables: 3, unconfirmed: 1 }), 1000).text).toContain(
      'warning Full verify of hop-1 finished no persistent difference with keys, but 1 table without a primary key kept changing and differed',
    );
    const plan = parsePlan('name: t\nchannel: C0X\ndatabases: { a: { url_env: A }, b: { url_env: B } }\nhops: [{ id: h, method: logical, source: a, target: b, subscription: s }]\naccess: { operators: [U0A], approvers: [U0B] }\n');
    const last: FullVerifySummary = { runId: 'r1', hop: 'h', status: 'done', mode: 'live', startedAt: 0, finishedAt: 1000, tables: 3, rows: 10, differences: 0, differingTables: 0, inFlight: 1, unconfirmedTables: 2 };
    const check = fullVerifyCheck(plan.hops[0], plan, last, 2000);
    expect(check.status).toBe('warn');
    expect(check.detail).toContain('2 tables without a primary key kept changing and differed at both looks');
    expect(fullVerifyCheck(plan.hops[0], plan, { ...last, unconfirmedTables: 0 }, 2000).status).toBe('ok');
    const thread = fullVerifySummaryViews('h', { ...last, unconfirmedTables: 1 }, [verdict({ table: 'public.events', compared: 'whole', key: [], wholeInFlight: 'still changing on the source: compare it again when writes stop', unconfirmed: true })]);
    expect(thread[0].text).toContain('1 in flight; 1 table not confirmed');
    expect(thread.map((t) => t.text)).toEqual([expect.any(String), 'Not confirmed (no primary key; compare again once writes stop) 1–1']);
  });
});
