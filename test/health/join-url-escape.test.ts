import { joinUrl } from '../../src/health/join-url';

describe('joinUrl: a path never leaves the base URL', () => {
  test("a path starting with // or naming another origin stays under the base's host and path", () => {
    expect(joinUrl('https://proxy.example/rollbar', '//evil.example/x')).toBe('https://proxy.example/rollbar/evil.example/x');
    expect(new URL(joinUrl('https://proxy.example/rollbar', 'https://evil.example/x')).host).toBe('proxy.example');
    expect(new URL(joinUrl('https://proxy.example/rollbar', '\\\\evil.example/x')).host).toBe('proxy.example');
  });

  test.each(['/apps/../../admin', '/apps/%2e%2e/%2E%2E/admin', '/apps/./x', '..'])('a dot segment (%s) is refused rather than climbing out of the base path', (path) => {
    expect(() => joinUrl('https://proxy.example/heroku', path)).toThrow(/dot segment/);
  });
});
