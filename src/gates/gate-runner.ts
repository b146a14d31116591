import type { CheckResult } from '../checks/check-result';

/** One gate: a named check that yields one or more results. */
export interface Gate {
  id: string;
  label: string;
  source: string;
  /** This gate's own limit, when it differs from the runner's. */
  timeoutMs?: number;
  run(): Promise<CheckResult[]>;
}

export interface GoNoGo {
  go: boolean;
  results: CheckResult[];
  /** The results that block: fail and unknown alike. */
  blocking: CheckResult[];
  at: number;
}

/**
 * Runs gates concurrently, each with its own timeout; a gate that throws or does not answer in
 * time yields "unknown", and unknown blocks like fail. Results are cached for `cacheMs` and keep
 * the time they were observed, so a report shows how old each one is.
 */
export class GateRunner {
  private readonly cache = new Map<string, { results: CheckResult[]; at: number }>();

  constructor(
    private readonly timeoutMs = 5000,
    private readonly cacheMs = 30_000,
  ) {}

  async evaluate(gates: Gate[], opts: { fresh?: boolean; now?: () => number } = {}): Promise<GoNoGo> {
    const now = opts.now ?? Date.now;
    const per = await Promise.all(gates.map((g) => this.runOne(g, Boolean(opts.fresh), now)));
    const results = per.flat();
    const blocking = results.filter((r) => r.status === 'fail' || r.status === 'unknown');
    return { go: results.length > 0 && blocking.length === 0, results, blocking, at: now() };
  }

  private async runOne(gate: Gate, fresh: boolean, now: () => number): Promise<CheckResult[]> {
    const hit = this.cache.get(gate.id);
    if (!fresh && hit && now() - hit.at < this.cacheMs) return hit.results;
    const unknown = (detail: string): CheckResult[] => [{ id: gate.id, label: gate.label, status: 'unknown', source: gate.source, observedAt: now(), detail }];
    let timer: NodeJS.Timeout | undefined;
    const results = await Promise.race([
      gate.run().then(
        (r) => (r.length ? r : unknown('the check returned nothing')),
        (e: Error) => unknown(`the check failed: ${e.message}`),
      ),
      new Promise<CheckResult[]>((resolve) => {
        const limit = gate.timeoutMs ?? this.timeoutMs;
        timer = setTimeout(() => resolve(unknown(`no answer within ${limit} ms`)), limit);
      }),
    ]);
    clearTimeout(timer);
    this.cache.set(gate.id, { results, at: now() });
    return results;
  }
}
