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
