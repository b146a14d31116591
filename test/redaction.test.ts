import { redactDeep, redactText, registerSecrets } from '../src/redaction';

describe('redaction', () => {
  beforeAll(() => registerSecrets(['xoxb-very-secret-token', 'rollbar-read-token-123']));

  test('registered secrets never pass', () => {
    expect(redactText('token xoxb-very-secret-token failed')).toBe('token [redacted] failed');
  });

  test('credentials in any URL are removed, the host is kept', () => {
    expect(redactText('connect postgres://app:s3cret@db.internal:5432/prod failed')).toBe('connect postgres://[redacted]@db.internal:5432/prod failed');
    expect(redactText('redis://:pass@cache:6379')).toBe('redis://[redacted]@cache:6379');
  });

  test('deep values (Block Kit) are redacted everywhere', () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'rollbar-read-token-123 and postgres://u:p@h/d' } }];
    expect(JSON.stringify(redactDeep(blocks))).not.toMatch(/rollbar-read-token-123|u:p@/);
  });
});

describe('redacting errors and cycles', () => {
  beforeAll(() => registerSecrets(['xoxb-very-secret-token']));

  test('an error keeps its type, message, code, stack and cause, redacted', () => {
    const e = Object.assign(new RangeError('token xoxb-very-secret-token expired', { cause: new Error('auth.test said invalid_auth') }), { code: 'E_AUTH' });
    const out = redactDeep({ err: e }).err as unknown as Record<string, unknown>;
    expect(out).toMatchObject({ type: 'RangeError', message: 'token [redacted] expired', code: 'E_AUTH', cause: { type: 'Error', message: 'auth.test said invalid_auth' } });
    expect(out.stack).toMatch(/^RangeError: token \[redacted\] expired\n\s+at /);
  });

  test('an object inside itself becomes a placeholder; a value seen twice side by side is kept', () => {
    const shared = { host: 'db' };
    const loop: Record<string, unknown> = { shared, again: shared, list: [] as unknown[] };
    (loop.list as unknown[]).push(loop);
    expect(redactDeep(loop)).toEqual({ shared: { host: 'db' }, again: { host: 'db' }, list: ['[circular]'] });
  });
});
