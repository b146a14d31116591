import { Writable } from 'node:stream';
import { createLogger } from '../src/log';
import { registerSecrets } from '../src/redaction';
import { boltLogger } from '../src/slack/bolt-logger';

const TOKEN = 'xoxb-log-test-secret-token';

/** A logger whose lines land in `lines`, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('debug', sink), lines };
}

function stepFailure(): Error {
  const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
  return Object.assign(new Error('promote the standby failed', { cause }), { code: 'STEP_FAILED' });
}

describe('log lines keep what went wrong', () => {
  beforeAll(() => registerSecrets([TOKEN]));

  test.each([
    ['{ err }', (log: ReturnType<typeof createLogger>, e: Error) => log.error({ err: e, step: 'promote' }, 'cutover step failed'), (l: Record<string, unknown>) => l.err],
    ['{ error }', (log: ReturnType<typeof createLogger>, e: Error) => log.error({ error: e }, 'cutover step failed'), (l: Record<string, unknown>) => l.error],
    ['nested', (log: ReturnType<typeof createLogger>, e: Error) => log.error({ step: { id: 'promote', failure: e } }, 'cutover step failed'), (l: Record<string, unknown>) => (l.step as Record<string, unknown>).failure],
    ['the first argument', (log: ReturnType<typeof createLogger>, e: Error) => log.error(e, 'cutover step failed'), (l: Record<string, unknown>) => l.err],
  ])('an error logged as %s keeps its type, message, code, stack and cause', (_how, write, pick) => {
    const { log, lines } = capturedLogger();
    write(log, stepFailure());
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toBe('cutover step failed');
    const err = pick(lines[0]) as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'Error', message: 'promote the standby failed', code: 'STEP_FAILED' });
    expect(err.stack).toMatch(/^Error: promote the standby failed\n\s+at /);
    expect(err.cause).toMatchObject({ message: 'connect ECONNREFUSED 10.0.0.5:5432', code: 'ECONNREFUSED' });
  });

  test('an error given alone is the message of its line', () => {
    const { log, lines } = capturedLogger();
    log.error(new TypeError('plan has no hops'));
    expect(lines[0]).toMatchObject({ msg: 'plan has no hops', err: { type: 'TypeError', message: 'plan has no hops' } });
  });

  test('a cyclic object is logged with a placeholder, never a throw', () => {
    const { log, lines } = capturedLogger();
    const run: Record<string, unknown> = { id: 'run-1' };
    run.self = run;
    const e = Object.assign(new Error('stuck'), { run });
    expect(() => log.error({ run, err: e }, 'cutover step failed')).not.toThrow();
    expect(lines[0]).toMatchObject({ run: { id: 'run-1', self: '[circular]' }, err: { message: 'stuck', run: { id: 'run-1', self: '[circular]' } } });
  });

  test('a secret in an error message, its stack or its cause is redacted', () => {
    const { log, lines } = capturedLogger();
    const e = new Error(`Slack refused ${TOKEN} for postgres://app:hunter22@db.internal/prod`, { cause: new Error(`retry with ${TOKEN}`) });
    log.error({ err: e }, `cutover step failed with ${TOKEN}`);
    const line = JSON.stringify(lines[0]);
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain('hunter22');
    expect(lines[0]).toMatchObject({ msg: 'cutover step failed with [redacted]', err: { message: 'Slack refused [redacted] for postgres://[redacted]@db.internal/prod', cause: { message: 'retry with [redacted]' } } });
    expect((lines[0].err as { stack: string }).stack).toContain('Error: Slack refused [redacted] for postgres://[redacted]@db.internal/prod');
  });

  test("Bolt's error lines keep the error that follows the text, and survive a cyclic argument", () => {
    const { log, lines } = capturedLogger();
    const bolt = boltLogger(log);
    bolt.error('Slack API error: ratelimited', stepFailure());
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.me = cyclic;
    expect(() => bolt.warn('odd payload', cyclic)).not.toThrow();
    expect(lines[0]).toMatchObject({ component: 'bolt', msg: 'Slack API error: ratelimited', err: { message: 'promote the standby failed', code: 'STEP_FAILED' } });
    expect(lines[1]).toMatchObject({ component: 'bolt', msg: 'odd payload {"a":1,"me":"[circular]"}' });
  });
});
