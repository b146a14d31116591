import { resolveTls, tlsSettingProblems, tlsSocketOptions } from '../../src/db/tls-options';

describe("reading a database's TLS from the plan and its URL, with libpq's meaning", () => {
  test("the URL's TLS parameters are taken out (node-postgres would read them its own way); the others stay", () => {
    const r = resolveTls('postgres://u:p@db.example.com:5432/app?application_name=x&sslmode=require&connect_timeout=5', undefined);
    expect(r.url).toBe('postgres://u:p@db.example.com:5432/app?application_name=x&connect_timeout=5');
    expect(r.tls.mode).toBe('require');
    expect(tlsSocketOptions(r.tls)).toEqual({ ssl: { rejectUnauthorized: false }, transport: 'encrypted' });
  });

  test('no sslmode and no plan setting: prefer, as libpq', () => {
    expect(resolveTls('postgres://u:p@h/app', undefined)).toEqual({ url: 'postgres://u:p@h/app', tls: { mode: 'prefer' } });
  });

  test('the stricter of the plan and the URL wins, either way round', () => {
    expect(resolveTls('postgres://h/app?sslmode=disable', { mode: 'require' }).tls.mode).toBe('require');
    expect(resolveTls('postgres://h/app?sslmode=verify-full', { mode: 'require' }).tls.mode).toBe('verify-full');
  });

  test("node-postgres's own ssl= forms keep their meaning; an unknown sslmode is refused without echoing the URL", () => {
    expect(resolveTls('postgres://h/app?ssl=true', undefined).tls.mode).toBe('verify-full');
    expect(resolveTls('postgres://h/app?ssl=no-verify', undefined).tls.mode).toBe('require');
    expect(() => resolveTls('postgres://u:secret-pw@h/app?sslmode=required', undefined)).toThrow(/^the URL's sslmode "required" is not one of/);
    try {
      resolveTls('postgres://u:secret-pw@h/app?sslmode=required', undefined);
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-pw');
    }
  });

  test('verify-ca checks the chain but not the host; verify-full both; a missing CA environment variable is named', () => {
    const chain = tlsSocketOptions({ mode: 'verify-ca', ca: 'PEM' });
    expect(chain.transport).toBe('encrypted, CA verified');
    expect(chain.ssl && chain.ssl.rejectUnauthorized).toBe(true);
    expect(chain.ssl && chain.ssl.checkServerIdentity?.('h', {} as never)).toBeUndefined();
    const full = tlsSocketOptions({ mode: 'verify-full', ca: 'PEM' });
    expect(full).toEqual({ ssl: { ca: 'PEM', rejectUnauthorized: true }, transport: 'encrypted and verified' });
    expect(() => resolveTls('postgres://h/app', { mode: 'verify-full', caEnv: 'NO_SUCH_CA_VAR' }, {})).toThrow('tls.ca_env: environment variable NO_SUCH_CA_VAR is not set');
    expect(() => resolveTls('postgres://h/app?sslmode=verify-ca', undefined)).toThrow(/verify-ca needs the CA/);
  });
});

describe('the start check of the TLS settings', () => {
  test('a ca_env not set or without a PEM, and a ca_file that cannot be read, are each listed; good ones are not', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const problems = tlsSettingProblems(
      [
        { id: 'aurora', tls: { mode: 'verify-full', caEnv: 'RDS_CA' } },
        { id: 'heroku', tls: { mode: 'require' } },
        { id: 'ec2', tls: { mode: 'verify-full', caFile: '/nonexistent/ca.pem' } },
        { id: 'other', tls: { mode: 'verify-full', caEnv: 'OTHER_CA' } },
        { id: 'good', tls: { mode: 'verify-full', caEnv: 'GOOD_CA' } },
      ],
      { OTHER_CA: 'not a certificate', GOOD_CA: pem },
    );
    expect(problems).toEqual([
      'databases.aurora.tls.ca_env: environment variable RDS_CA is not set',
      'databases.ec2.tls.ca_file: cannot read /nonexistent/ca.pem (ENOENT)',
      'databases.other.tls.ca_env: environment variable OTHER_CA holds no PEM certificate',
    ]);
  });
});
