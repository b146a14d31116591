import { parsePlan } from '../../src/plan/load-plan';

const plan = (databases: string) =>
  parsePlan(`
name: demo
channel: C0CHAN
databases: ${databases}
hops:
  - { id: one, method: logical, source: heroku, target: aurora, subscription: s }
access: { operators: [U0OPS], approvers: [U0APP] }
`);

describe("a database's TLS in the plan", () => {
  test('Heroku require, Aurora verify-full with the RDS bundle: both reach the plan as the bot uses it', () => {
    const p = plan(`
  heroku: { url_env: HEROKU_URL, tls: { mode: require } }
  aurora: { url_env: AURORA_URL, tls: { mode: verify-full, ca_file: /etc/ssl/rds/global-bundle.pem } }`);
    expect(p.databases.map((d) => [d.id, d.tls])).toEqual([
      ['heroku', { mode: 'require', caFile: undefined, caEnv: undefined }],
      ['aurora', { mode: 'verify-full', caFile: '/etc/ssl/rds/global-bundle.pem', caEnv: undefined }],
    ]);
  });

  test('left out, a database has no TLS setting (the URL sslmode, else prefer, decides)', () => {
    expect(plan('{ heroku: { url_env: HEROKU_URL }, aurora: { url_env: AURORA_URL } }').databases[0].tls).toBeUndefined();
  });

  test('a mode libpq does not have, verify-ca with no CA, or two CA sources are refused naming the field', () => {
    expect(() => plan('{ heroku: { url_env: H, tls: { mode: required } }, aurora: { url_env: A } }')).toThrow(/databases\.heroku\.tls\.mode/);
    expect(() => plan('{ heroku: { url_env: H, tls: { mode: verify-ca } }, aurora: { url_env: A } }')).toThrow(/databases\.heroku\.tls: verify-ca needs ca_file or ca_env/);
    expect(() => plan('{ heroku: { url_env: H, tls: { ca_file: /a, ca_env: B } }, aurora: { url_env: A } }')).toThrow(/give ca_file or ca_env, not both/);
  });
});
