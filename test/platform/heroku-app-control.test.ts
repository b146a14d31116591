import { herokuAppControl } from '../../src/platform/app-control';
import { HerokuApi } from '../../src/platform/heroku-api';
import { HerokuStandIn } from '../support/heroku-stand-in';

const SOURCE = 'postgres://u:p@heroku-pg.example:5432/d1';
const TARGET = 'postgres://u:p@ec2.example:5432/app';

describe('pointing a Heroku app at a database, and back', () => {
  let heroku: HerokuStandIn;
  beforeEach(async () => {
    heroku = await new HerokuStandIn('acme-api', 'heroku-token').start();
    heroku.attachDatabase(SOURCE);
  });
  afterEach(() => heroku.stop());
  const control = () => herokuAppControl(new HerokuApi({ baseUrl: heroku.url, token: 'heroku-token', app: 'acme-api', timeoutMs: 5000 }), 'acme-api');
  const attachments = () => heroku.attachments.map((a) => a.name).sort();

  test('away: the add-on is parked under another name; back: it gets its DATABASE attachment again', async () => {
    expect(await control().pointAt('DATABASE_URL', TARGET)).toContain('re-attached as CUTOVER_OLD_DATABASE');
    expect(heroku.configVars).toMatchObject({ DATABASE_URL: TARGET, CUTOVER_OLD_DATABASE_URL: SOURCE });
    expect(attachments()).toEqual(['CUTOVER_OLD_DATABASE']);

    expect(await control().pointAt('DATABASE_URL', SOURCE)).toContain('attachment DATABASE restored');
    expect(heroku.configVars).toEqual({ DATABASE_URL: SOURCE });
    expect(attachments()).toEqual(['DATABASE']);
    expect(await control().pointAt('DATABASE_URL', SOURCE)).toContain('already points there');
  });

  test('a way back interrupted half-way finishes on the next try, and never leaves two attachments or none', async () => {
    await control().pointAt('DATABASE_URL', TARGET);
    heroku.fault = { match: /^POST \/addon-attachments$/, status: 503 };
    await expect(control().pointAt('DATABASE_URL', SOURCE)).rejects.toThrow(/503/);
    // The plain variable is gone, the add-on still parked: the app is stopped while this runs.
    expect(attachments()).toEqual(['CUTOVER_OLD_DATABASE']);
    heroku.fault = { match: /^DELETE \/addon-attachments\//, status: 503 };
    await expect(control().pointAt('DATABASE_URL', SOURCE)).rejects.toThrow(/503/);
    expect(attachments()).toEqual(['CUTOVER_OLD_DATABASE', 'DATABASE']);
    heroku.fault = undefined;
    expect(await control().pointAt('DATABASE_URL', SOURCE)).toContain('attachment DATABASE restored');
    expect(heroku.configVars).toEqual({ DATABASE_URL: SOURCE });
    expect(attachments()).toEqual(['DATABASE']);
  });

  test('a source URL that is not the parked add-on\'s is set as a plain variable; the parked add-on stays', async () => {
    await control().pointAt('DATABASE_URL', TARGET);
    const other = 'postgres://other:pw@heroku-pg.example:5432/d1';
    expect(await control().pointAt('DATABASE_URL', other)).toContain('DATABASE_URL set on acme-api');
    expect(heroku.configVars).toMatchObject({ DATABASE_URL: other, CUTOVER_OLD_DATABASE_URL: SOURCE });
    expect(attachments()).toEqual(['CUTOVER_OLD_DATABASE']);
  });
});
