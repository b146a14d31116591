import { databaseUrlProblem } from '../../src/config/database-url';

describe('a database URL is checked without being repeated', () => {
  test.each([
    ['postgres://app:pw@db.example.com:5432/orders', undefined],
    ['postgresql://app:pw@db.example.com/orders?sslmode=require', undefined],
    ['postgres:///orders?host=/var/run/postgresql', undefined],
    ['postgres://app:pw@db.example.com/?dbname=orders', undefined],
    [undefined, 'is not set'],
    ['   ', 'is not set'],
    ['db.example.com/orders', 'is not a URL'],
    ['db.example.com:5432/orders', 'must start with postgres://'],
    ['mysql://app:pw@db.example.com/orders', 'must start with postgres:// or postgresql://'],
    ['https://app:pw@db.example.com/orders', 'must start with postgres:// or postgresql://'],
    ['postgres://app:pw@db.example.com:5432', 'names no database'],
    ['postgres://app:pw@db.example.com:5432/', 'names no database'],
    ['postgres:///orders', 'names no host'],
    ['postgres://app:pw@db.example.com:99999/orders', 'is not a URL'],
    ['postgres://app:50%off@db.example.com/orders', 'malformed %-escape in its user name or password'],
  ])('%s → %s', (url, expected) => {
    const problem = databaseUrlProblem(url);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
    // Never the value, nor its password or host.
    if (problem && url?.trim()) {
      expect(problem).not.toContain(url);
      expect(problem).not.toContain('pw@');
      expect(problem).not.toContain('db.example.com');
      expect(problem).not.toContain('50%off');
    }
  });
});
