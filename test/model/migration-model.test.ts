import { TEST_REDIS_URL } from '../support/redis';
import { runHistories } from './run-histories';

/**
 * Issue 13's proof: generated histories of locks, holds, requests, concurrent votes, aborts,
 * resumes, stale buttons, roll backs, DMS reloads, stalled and crashed executors, clock jumps and
 * two bot processes, played against the real control plane; every invariant holds after each one.
 * `npm run check:model -- --runs 10000` plays more.
 */
describe('the migration under generated histories', () => {
  test('no history breaks an invariant (fixed seed)', async () => {
    const report = await runHistories({ runs: Number(process.env.MODEL_RUNS ?? 1000), seed: 20261130, redisUrl: TEST_REDIS_URL });
    if (report.failure) throw new Error(`history broke ${report.failure.violations.length} invariant(s) (seed ${report.seed}, path ${report.failure.path}):\n${report.failure.violations.join('\n')}\n${JSON.stringify(report.failure.history)}`);
    expect(report.violations).toBe(0);
    expect(report.portCalls).toBeGreaterThan(report.histories);
  }, 300_000);
});
