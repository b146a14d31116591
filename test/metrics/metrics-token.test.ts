import { readSettings, secretValues } from '../../src/config/settings';
import { bearerMatches } from '../../src/metrics/metrics-route';

const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', MIGRATION_PLAN: 'plan.yml' };

describe('METRICS_TOKEN', () => {
  test('is read from the environment, trimmed, and treated as a secret (never logged)', () => {
    const s = readSettings({ ...env, METRICS_TOKEN: '  scrape-me-7  ' });
    expect(s.metricsToken).toBe('scrape-me-7');
    expect(secretValues(s)).toContain('scrape-me-7');
  });

  test('unset or blank: no token, /metrics is open', () => {
    expect(readSettings(env).metricsToken).toBeUndefined();
    expect(readSettings({ ...env, METRICS_TOKEN: '   ' }).metricsToken).toBeUndefined();
  });

  test('only "Bearer <the token>" matches: the scheme in any case, nothing more, nothing less', () => {
    expect(bearerMatches('Bearer scrape-me-7', 'scrape-me-7')).toBe(true);
    expect(bearerMatches('bearer scrape-me-7', 'scrape-me-7')).toBe(true);
    expect(bearerMatches('Bearer scrape-me-', 'scrape-me-7')).toBe(false);
    expect(bearerMatches('Bearer scrape-me-77', 'scrape-me-7')).toBe(false);
    expect(bearerMatches('Basic c2NyYXBlLW1lLTc=', 'scrape-me-7')).toBe(false);
    expect(bearerMatches('scrape-me-7', 'scrape-me-7')).toBe(false);
    expect(bearerMatches(undefined, 'scrape-me-7')).toBe(false);
  });
});
