import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from '../log';
import { redactDeep } from '../redaction';

/** Bolt's and the WebClient's log lines, sent through the process logger (and so redacted). */
export function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'bolt' });
  const to = (level: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    // Bolt passes the error after the text ("Slack API error: …", error): it goes under `err`, whole.
    const err = msg.find((m) => m instanceof Error);
    const text = msg
      .filter((m) => m !== err)
      .map((m) => (typeof m === 'string' ? m : asJson(m)))
      .join(' ');
    if (err) child[level]({ err }, text || (err as Error).message);
    else child[level](text);
  };
  return {
    debug: to('debug'),
    info: to('info'),
    warn: to('warn'),
    error: to('error'),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/** A log argument as JSON; a value JSON cannot hold (a BigInt) as plain text, never a throw. */
function asJson(value: unknown): string {
  try {
    return JSON.stringify(redactDeep(value)) ?? String(value);
  } catch {
    return String(value);
  }
}
