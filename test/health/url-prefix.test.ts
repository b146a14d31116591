import { checkRollbar } from '../../src/health/rollbar';
import { RollbarDeploys } from '../../src/health/rollbar-deploys';
import { checkStatusPage } from '../../src/health/status-page';
import { joinUrl } from '../../src/health/join-url';
import { herokuAppControl } from '../../src/platform/app-control';
import { HerokuApi } from '../../src/platform/heroku-api';
import { RollbarStandIn, StatusPageStandIn } from '../support/health-stand-ins';
import { HerokuStandIn } from '../support/heroku-stand-in';
import { PathPrefixProxy } from '../support/path-prefix-proxy';

describe('a service behind a proxy path prefix is reached under that prefix', () => {
  const rollbar = new RollbarStandIn();
  const statuspage = new StatusPageStandIn('statuspage', StatusPageStandIn.statuspage('none'));
  const herokuStatus = new StatusPageStandIn('heroku', StatusPageStandIn.heroku('green'));
  const slackStatus = new StatusPageStandIn('slack', StatusPageStandIn.slack('ok'));
  const heroku = new HerokuStandIn('acme-api', 'heroku-token');
  const proxy = new PathPrefixProxy({ '/proxy/rollbar': rollbar, '/proxy/statuspage': statuspage, '/proxy/heroku-status': herokuStatus, '/proxy/slack-status': slackStatus, '/proxy/heroku': heroku });

  beforeAll(async () => {
    await Promise.all([rollbar.start(), statuspage.start(), herokuStatus.start(), slackStatus.start(), heroku.start(), proxy.start()]);
    rollbar.steady(2);
  });
  afterAll(() => Promise.all([rollbar.stop(), statuspage.stop(), herokuStatus.stop(), slackStatus.stop(), heroku.stop(), proxy.stop()]));
  // Each test's requests all stayed under their prefix (a dropped prefix reaches the proxy's root: a miss).
  afterEach(() => expect(proxy.misses.splice(0)).toEqual([]));

  const rollbarSettings = (baseUrl: string) => ({ baseUrl, environment: 'production', readToken: 'rollbar-read-token', windowMinutes: 15, baselineHours: 6, spikeRatio: 3, cutoverSpikeRatio: 1.5, minErrors: 10 });

  test.each(['/proxy/rollbar', '/proxy/rollbar/'])('Rollbar reads and deploy markers go through %s', async (prefix) => {
    const results = await checkRollbar(rollbarSettings(proxy.urlOf(prefix)), { cutoverWindow: false, timeoutMs: 3000 });
    expect(results.map((r) => [r.id, r.status])).toEqual([['rollbar.api', 'ok'], ['rollbar.error-rate', 'ok'], ['rollbar.critical-items', 'ok']]);
    const deploys = new RollbarDeploys({ baseUrl: proxy.urlOf(prefix), environment: 'production', writeToken: 'rollbar-write-token', timeoutMs: 3000 });
    const id = await deploys.start('abc123', 'ops', 'cutover');
    expect(id).toEqual(expect.any(Number));
    await deploys.finish(id!, 'succeeded');
    expect(rollbar.deploys.slice(-2).map((d) => `${d.method} ${d.path}`)).toEqual(['POST /api/1/deploy', `PATCH /api/1/deploy/${id}`]);
  });

  test.each([
    ['statuspage', '/proxy/statuspage', 'All Systems Operational'],
    ['heroku', '/proxy/heroku-status', 'all systems green'],
    ['slack', '/proxy/slack-status', 'ok'],
  ] as const)('a %s status page read through %s', async (kind, prefix, value) => {
    const page = { name: kind, kind, url: proxy.urlOf(prefix), warn_on: ['minor' as const], fail_on: ['major' as const] };
    expect(await checkStatusPage(page, 3000)).toMatchObject({ status: 'ok', value });
  });

  test('the Heroku Platform API through /proxy/heroku: formation, maintenance and config vars', async () => {
    const api = new HerokuApi({ baseUrl: proxy.urlOf('/proxy/heroku'), token: 'heroku-token', app: 'acme-api', timeoutMs: 3000 });
    const app = herokuAppControl(api, 'acme-api');
    expect(await app.formation(['web'])).toEqual([{ type: 'web', quantity: 3, size: 'standard-2x' }]);
    await app.stopWrites(['web']);
    expect(heroku.maintenance).toBe(true);
    expect(await app.pointAt('DATABASE_URL', 'postgres://u:p@db.example:5432/app')).toContain('DATABASE_URL set on acme-api');
    expect(heroku.configVars.DATABASE_URL).toBe('postgres://u:p@db.example:5432/app');
  });

  test('joinUrl keeps the base path and query, with or without slashes', () => {
    expect(joinUrl('https://proxy.example/rollbar', '/api/1/deploy')).toBe('https://proxy.example/rollbar/api/1/deploy');
    expect(joinUrl('https://proxy.example/rollbar/', 'api/1/items/')).toBe('https://proxy.example/rollbar/api/1/items/');
    expect(joinUrl('https://api.rollbar.com', '/api/1/deploy')).toBe('https://api.rollbar.com/api/1/deploy');
    expect(joinUrl('https://gw.example/heroku?tenant=a', '/apps/x')).toBe('https://gw.example/heroku/apps/x?tenant=a');
  });
});
