/** Raised by a limiter once the run is stopping: no new statement starts. */
export class VerifyStopped extends Error {
  constructor(readonly why: 'cancelled' | 'stopping') {
    super(why === 'cancelled' ? 'the verify was cancelled' : 'the bot is stopping');
  }
}

/** At most `size` tasks at once, first come first served; `stop` refuses every task not yet started. */
export class Limiter {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private stopped?: VerifyStopped;

  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.stopped) throw this.stopped;
    if (this.running >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    if (this.stopped) {
      this.queue.shift()?.();
      throw this.stopped;
    }
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }

  stop(why: VerifyStopped): void {
    this.stopped = why;
    for (const next of this.queue.splice(0)) next();
  }
}
