import fc from 'fast-check';
import { connectStateStore, untilReady, type StateStore } from '../../src/state/state-store';
import { historyArbitrary, playHistory, type HistoryEvent } from './history';
import { ModelWorld } from './model-world';

// A history that has not ended by then is stuck: an actor waits on something that never comes (a liveness failure).
const HISTORY_BOUND_MS = 30_000;

async function withinBound(play: Promise<string[]>, ms: number, history: HistoryEvent[]): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([`the history did not end within ${ms / 1000} s (${history.length} events): something waits for ever`]), ms);
  });
  try {
    return await Promise.race([play, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ModelRunReport {
  histories: number;
  events: number;
  portCalls: number;
  violations: number;
  seed: number;
  seconds: number;
  /** The first failing history, replayable with the same seed and path. */
  failure?: { path: string; violations: string[]; history: HistoryEvent[] };
}

/**
 * Generates `runs` histories from `seed` and plays each against real Redis, the real lock,
 * approvals, state machine and runner. Every actor shares one Redis connection, so the order in
 * which the recording ports see things is the order in which Redis executed them.
 */
export async function runHistories(opts: { runs: number; seed: number; redisUrl: string; path?: string }): Promise<ModelRunReport> {
  // No auto-pipelining: a command is in the connection's queue the moment it is issued, so the world can tell when it has settled.
  const redis: StateStore = connectStateStore(opts.redisUrl, { enableAutoPipelining: false });
  if (!(await untilReady(redis))) throw new Error(`the model needs Redis at ${opts.redisUrl}, and it does not answer`);
  const started = Date.now();
  let histories = 0;
  let events = 0;
  let portCalls = 0;
  let lastViolations: string[] = [];
  try {
    const outcome = await fc.check(
      fc.asyncProperty(historyArbitrary, async (history) => {
        const world = new ModelWorld(redis);
        try {
          histories++;
          events += history.length;
          lastViolations = await withinBound(playHistory(world, history), HISTORY_BOUND_MS, history);
          portCalls += world.events.length;
          return lastViolations.length === 0;
        } finally {
          await world.cleanUp();
        }
      }),
      { numRuns: opts.runs, seed: opts.seed, path: opts.path, endOnFailure: true },
    );
    const report: ModelRunReport = { histories, events, portCalls, violations: outcome.failed ? lastViolations.length || 1 : 0, seed: opts.seed, seconds: (Date.now() - started) / 1000 };
    if (outcome.failed) report.failure = { path: outcome.counterexamplePath ?? '', violations: lastViolations, history: (outcome.counterexample?.[0] ?? []) as HistoryEvent[] };
    return report;
  } finally {
    redis.disconnect();
  }
}
