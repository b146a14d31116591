import { settlesWithin } from './settles-within';

/** Tracks work started by requests so that a SIGTERM can wait for it before closing connections. */
export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;

  get isClosing(): boolean {
    return this.closing;
  }

  get size(): number {
    return this.running.size;
  }

  /** Runs `work` and keeps it tracked until it settles. */
  track<T>(work: () => Promise<T>): Promise<T> {
    const p = work();
    this.running.add(p);
    const forget = () => this.running.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Refuses nothing by itself; waits until everything tracked has settled or `timeoutMs` passed. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    const deadline = Date.now() + timeoutMs;
    // Work tracked while draining (a request handed over late) is waited for too.
    while (this.running.size > 0 && Date.now() < deadline) {
      await settlesWithin(Promise.allSettled([...this.running]), Math.max(1, deadline - Date.now()));
    }
    return this.running.size === 0;
  }
}
