import { herokuAppControl } from '../../src/platform/app-control';
import { HerokuApi } from '../../src/platform/heroku-api';
import { HerokuStandIn } from '../support/heroku-stand-in';

const SOURCE = 'postgres://u:p@heroku-pg.example:5432/d1';
const TARGET = 'postgres://u:p@ec2.example:5432/app';

/**
 * A bot can die between any two Heroku calls of the re-pointing (or Heroku can fail one): the next
 * run, from a fresh process, must finish the job exactly, whichever call it was.
 */
describe('re-pointing a Heroku app survives a crash at each of its API calls', () => {
  let heroku: HerokuStandIn;
  beforeAll(async () => {
    heroku = await new HerokuStandIn('acme-api', 'heroku-token').start();
  });
  afterAll(() => heroku.stop());
  // A new client each time: the run after a crash is a new bot process.
  const control = () => herokuAppControl(new HerokuApi({ baseUrl: heroku.url, token: 'heroku-token', app: 'acme-api', timeoutMs: 5000 }), 'acme-api');
  const state = () => ({ vars: { ...heroku.configVars }, attachments: heroku.attachments.map((a) => `${a.name}=${a.addon.id}`).sort() });
  const onSource = { vars: { DATABASE_URL: SOURCE }, attachments: ['DATABASE=addon-pg'] };
  const onTarget = { vars: { DATABASE_URL: TARGET, CUTOVER_OLD_DATABASE_URL: SOURCE }, attachments: ['CUTOVER_OLD_DATABASE=addon-pg'] };

  const startOnSource = () => {
    heroku.interrupt = undefined;
    heroku.attachments = [];
    heroku.configVars = {};
    heroku.attachDatabase(SOURCE);
  };
  const startOnTarget = async () => {
    startOnSource();
    await control().pointAt('DATABASE_URL', TARGET);
  };
  /** How many Heroku calls an uninterrupted run makes. */
  const callsOf = async (setUp: () => Promise<void> | void, url: string) => {
    await setUp();
    const before = heroku.calls.length;
    await control().pointAt('DATABASE_URL', url);
    return heroku.calls.length - before;
  };

  /** Each call of a run of `n`, once done-then-crashed and once failed. */
  const cases = (n: number) => Array.from({ length: n }, (_, i) => i + 1).flatMap((call) => [[call, true] as const, [call, false] as const]);

  test('pointing at the target: a crash at any call, then a rerun, leaves the target set and the add-on parked', async () => {
    const n = await callsOf(startOnSource, TARGET);
    expect(n).toBeGreaterThanOrEqual(5);
    expect(state()).toEqual(onTarget);
    for (const [call, applied] of cases(n)) {
      startOnSource();
      heroku.interruptAt(call, applied);
      await expect(control().pointAt('DATABASE_URL', TARGET)).rejects.toThrow();
      heroku.interrupt = undefined;
      await control().pointAt('DATABASE_URL', TARGET).catch((e: Error) => {
        throw new Error(`rerun after ${applied ? 'a crash after' : 'a failure of'} call ${call}: ${e.message}`);
      });
      expect({ call, applied, ...state() }).toEqual({ call, applied, ...onTarget });
    }
  });

  test('pointing back (a roll back): a crash at any call, then a rerun, gives the add-on its DATABASE attachment again', async () => {
    const n = await callsOf(startOnTarget, SOURCE);
    expect(n).toBeGreaterThanOrEqual(5);
    expect(state()).toEqual(onSource);
    for (const [call, applied] of cases(n)) {
      await startOnTarget();
      heroku.interruptAt(call, applied);
      await expect(control().pointAt('DATABASE_URL', SOURCE)).rejects.toThrow();
      heroku.interrupt = undefined;
      await control().pointAt('DATABASE_URL', SOURCE).catch((e: Error) => {
        throw new Error(`rerun after ${applied ? 'a crash after' : 'a failure of'} call ${call}: ${e.message}`);
      });
      expect({ call, applied, ...state() }).toEqual({ call, applied, ...onSource });
    }
  });

  test('a crash half-way to the target, then an abort pointing back, leaves the app exactly on the source', async () => {
    const n = await callsOf(startOnSource, TARGET);
    for (const [call, applied] of cases(n)) {
      startOnSource();
      heroku.interruptAt(call, applied);
      await expect(control().pointAt('DATABASE_URL', TARGET)).rejects.toThrow();
      heroku.interrupt = undefined;
      await control().pointAt('DATABASE_URL', SOURCE).catch((e: Error) => {
        throw new Error(`roll back after ${applied ? 'a crash after' : 'a failure of'} call ${call}: ${e.message}`);
      });
      expect({ call, applied, ...state() }).toEqual({ call, applied, ...onSource });
    }
  });
});
