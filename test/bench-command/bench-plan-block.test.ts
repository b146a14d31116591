import { join } from 'node:path';
import { loadPlan, PlanError } from '../../src/plan/load-plan';
import { benchPlan } from './bench-plan';

describe('the plan\'s bench block', () => {
  test('defaults: no queries, 30 runs after 3 warm-up, one connection, max 1.5× at p95, 10 s per statement, 120 s in all', () => {
    expect(benchPlan('  {}').bench).toEqual({ queries: [], runs: 30, warmup: 3, concurrency: 1, maxRatio: 1.5, compare: 'p95', statementTimeoutMs: 10_000, timeLimitMs: 120_000 });
  });

  test('queries keep their name, SQL and bind values', () => {
    const plan = benchPlan('  queries:\n    - { name: orders_of_customer, sql: "SELECT * FROM orders WHERE customer_id = $1 AND state = $2", params: [42, paid] }');
    expect(plan.bench.queries).toEqual([{ name: 'orders_of_customer', sql: 'SELECT * FROM orders WHERE customer_id = $1 AND state = $2', params: [42, 'paid'] }]);
  });

  test.each([
    ['DELETE FROM orders'],
    ['UPDATE orders SET note = 1'],
    ['WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone'],
    ['SELECT 1; DELETE FROM orders'],
    ['SELECT * INTO copy FROM orders'],
    ["SELECT nextval('orders_id_seq')"],
    ['SET TRANSACTION READ WRITE'],
    ['BEGIN'],
  ])('an obviously writing query is refused up front, before anything runs: %s', (sql) => {
    expect(() => benchPlan(`  queries:\n    - { name: q, sql: ${JSON.stringify(sql)} }`)).toThrow(PlanError);
    expect(() => benchPlan(`  queries:\n    - { name: q, sql: ${JSON.stringify(sql)} }`)).toThrow(/bench\.queries\[0\]\.sql: must be one read .* bench runs every query in a READ ONLY transaction/);
  });

  test.each([['SELECT 1'], ['  -- the app\'s report\n  WITH t AS (SELECT 1) SELECT * FROM t'], ['VALUES (1)'], ['TABLE orders'], ['(SELECT 1) UNION (SELECT 2)']])('a read is accepted: %s', (sql) => {
    expect(benchPlan(`  queries:\n    - { name: q, sql: ${JSON.stringify(sql)} }`).bench.queries[0].sql).toBe(sql);
  });

  test('two queries with one name, and figures out of bounds, are refused naming the field', () => {
    expect(() => benchPlan('  queries:\n    - { name: q, sql: SELECT 1 }\n    - { name: q, sql: SELECT 2 }')).toThrow(/bench\.queries\[1\]\.name: "q" names two queries/);
    expect(() => benchPlan('  max_ratio: 0.5')).toThrow(/bench\.max_ratio/);
    expect(() => benchPlan('  concurrency: 50')).toThrow(/bench\.concurrency/);
    expect(() => benchPlan('  runs: 0')).toThrow(/bench\.runs/);
  });

  test('the example plan benches two of the app\'s queries at p95 within 1.5×', () => {
    const { bench } = loadPlan(join(__dirname, '../../examples/heroku-ec2-aurora.yml'));
    expect(bench.queries.map((q) => q.name)).toEqual(['orders_of_customer', 'daily_revenue']);
    expect(bench).toMatchObject({ runs: 30, warmup: 3, concurrency: 2, maxRatio: 1.5, compare: 'p95' });
  });
});
