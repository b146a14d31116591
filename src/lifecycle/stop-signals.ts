import type { Logger } from '../log';

export interface StopSignalOptions {
  /** The process exits after this long whatever the stop is waiting on (SIGKILL comes at 30 s on Heroku). */
  limitMs?: number;
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
}

const EXIT_CODE: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * SIGTERM and SIGINT stop the process in every state. The first one stops the running bot cleanly
 * and exits (0), or exits after `limitMs` anyway (1); a second one exits at once. A signal while the
 * bot is still starting exits at once: nothing has been served yet, and whatever start-up was
 * doing (auth.test, a database's first connect, Redis) may not answer for a long time. Those exits use the shell's code for the signal.
 * Install it before starting, then hand it the bot with `running`.
 */
export function stopOnSignals(log: Logger, opts: StopSignalOptions = {}): { running(bot: { stop(): Promise<void> }): void; remove(): void } {
  const { limitMs = 9_000, exit = (code) => process.exit(code), signals = ['SIGTERM', 'SIGINT'] } = opts;
  let bot: { stop(): Promise<void> } | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = EXIT_CODE[signal] ?? 1;
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now, without waiting for the stop');
      return exit(code);
    }
    stopping = true;
    if (!bot) {
      log.warn({ signal }, 'signal received while starting: exiting now');
      return exit(code);
    }
    log.info({ signal, limitMs }, 'signal received: stopping');
    const limit = setTimeout(() => {
      log.error({ limitMs }, 'the stop did not finish in time: exiting now');
      exit(1);
    }, limitMs);
    bot.stop().then(
      () => {
        clearTimeout(limit);
        exit(0);
      },
      (e) => {
        clearTimeout(limit);
        log.error({ err: e }, 'unclean stop');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    running(b) {
      bot = b;
    },
    remove() {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
