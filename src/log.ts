import pino, { type DestinationStream, type Logger } from 'pino';
import { redactDeep, redactText } from './redaction';

export type { Logger };

/** The process logger: JSON lines on stdout (or `destination`), every argument redacted, errors kept whole. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'cutover' },
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactLogArguments(args) as Parameters<typeof method>);
      },
    },
    // Child bindings do not pass through the hook.
    serializers: { err: redactDeep, error: redactDeep },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The arguments of one log call, redacted. An Error given first goes under `err` with its message as
 * the line's message when there is none, as pino itself does, but with message and stack kept.
 */
export function redactLogArguments(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  const clean = (a: unknown) => (typeof a === 'string' ? redactText(a) : redactDeep(a));
  if (first instanceof Error) return [{ err: redactDeep(first) }, ...(rest.length > 0 ? rest : [first.message]).map(clean)];
  return args.map(clean);
}
