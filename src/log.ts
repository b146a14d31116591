import pino, { type Logger } from 'pino';
import { redactDeep, redactText } from './redaction';

export type { Logger };

/** The process logger: JSON lines on stdout, every argument redacted. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'cutover' },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a) => (typeof a === 'string' ? redactText(a) : redactDeep(a)));
        method.apply(this, clean as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (e: Error) => redactDeep(pino.stdSerializers.err(e)),
    },
  });
}
