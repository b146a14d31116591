import type { Gate } from '../../gates/gate-runner';
import type { Hop } from '../../plan/plan';
import { preflightGateResult, type PreflightReport } from './preflight-check';

/** How long a preflight is reused: privileges change rarely, and the gate runs on every health round. */
export interface PreflightCacheTiming {
  /** A report with nothing missing (default 10 min). */
  okMs: number;
  /** A report with something missing or unknown: soon again, so a grant just made shows (default 60 s). */
  notOkMs: number;
}

export const DEFAULT_PREFLIGHT_CACHE: PreflightCacheTiming = { okMs: 10 * 60_000, notOkMs: 60_000 };

/**
 * The newest preflight of each hop. The gate reuses it (a fresh go/no-go every health round would
 * otherwise call AWS and open connections each time); `/migrate preflight` always runs a new one.
 * Runs asked for at the same time share one.
 */
export class PreflightCache {
  private readonly latest = new Map<string, PreflightReport>();
  private readonly running = new Map<string, Promise<PreflightReport>>();

  constructor(
    private readonly run: (hop: Hop) => Promise<PreflightReport>,
    private readonly timing: PreflightCacheTiming = DEFAULT_PREFLIGHT_CACHE,
    private readonly now: () => number = Date.now,
  ) {}

  async report(hop: Hop, fresh = false): Promise<PreflightReport> {
    const hit = this.latest.get(hop.id);
    if (!fresh && hit) {
      const clean = hit.checks.every((c) => c.status === 'ok' || c.status === 'warn');
      if (this.now() - hit.at < (clean ? this.timing.okMs : this.timing.notOkMs)) return hit;
    }
    const pending = this.running.get(hop.id);
    if (pending) return pending;
    const started = this.run(hop).then(
      (r) => {
        this.latest.set(hop.id, r);
        return r;
      },
    ).finally(() => this.running.delete(hop.id));
    this.running.set(hop.id, started);
    return started;
  }
}

/** The preflight as a gate of `hop`: a missing privilege is NO-GO. */
export function preflightGate(hop: Hop, cache: PreflightCache, timeoutMs: number): Gate {
  return {
    id: `preflight:${hop.id}`,
    label: 'Preflight',
    source: `hop ${hop.id}`,
    timeoutMs,
    run: async () => [preflightGateResult(await cache.report(hop))],
  };
}
