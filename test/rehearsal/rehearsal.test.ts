import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { eventually } from '../support/free-port';
import { ConsolePage } from './console-page';
import { startRehearsal, type RehearsalProcess } from './rehearsal-process';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../../artifacts');
const SCREENSHOT = join(ARTIFACTS, 'rehearsal.png');

interface FullVerifyOutcome {
  message: Locator;
  /** The message's headline. */
  head: string;
  /** The summary reply in its thread. */
  summary: string;
  /** The thread's bullets under "Persistent differences" and under "In flight", one a table. */
  persistent: string[];
  inFlight: string[];
}

/**
 * The README's first command, played through in a headless browser the way a newcomer would:
 * hop 1 and its cutover with two approvers, DMS progress with an ETA, the error-tracker outage that
 * blocks hop 2, the sequence fix, a full verify during replication and one after rows were lost on
 * the target, hop 2's cutover, the error-rate watch; then Ctrl-C.
 */
describe('npm run rehearse, in a browser', () => {
  let rehearsal: RehearsalProcess;
  let browser: Browser;
  let c: ConsolePage;
  /** Every address the page asked for that answered 404. */
  const notFound: string[] = [];

  async function screenshot(name: string): Promise<void> {
    const path = join(ARTIFACTS, name);
    await c.page.screenshot({ path });
    console.log(`screenshot: ${path}`);
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`the browser test needs Chromium at ${CHROMIUM}: apt-get install chromium (bash .ci/run does), or set CHROMIUM_PATH`);
    rehearsal = await startRehearsal({ REHEARSAL_PORT: '0', REHEARSAL_FULL_LOAD_SECONDS: '75', REHEARSAL_ERROR_WATCH_MINUTES: '5' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });
    await page.goto(rehearsal.url);
    c = new ConsolePage(page);
  }, 240_000);

  afterAll(async () => {
    // The page as the run left it, for when a step above failed.
    await c?.page.screenshot({ path: join(SCREENSHOT, '../rehearsal-last.png') }).catch(() => undefined);
    await browser?.close();
    if (rehearsal && rehearsal.child.exitCode === null) {
      rehearsal.child.kill('SIGINT');
      await rehearsal.exited;
    }
  });

  /** Two teammates click Approve on the request; each reads the bot's answer, only to them. */
  async function approveAs(approvers: [string, string], request: string): Promise<void> {
    const replies = ['Your approval is recorded.', 'Your approval completed the request: it is running now.'];
    for (const [i, approver] of approvers.entries()) {
      await c.as(approver);
      await c.click(request, 'Approve');
      await c.page.locator('.msg.ephemeral', { hasText: replies[i] }).waitFor({ timeout: 15_000 });
    }
  }

  test('the console: nothing 404s on load, an empty channel says where to start, the member survives a reload', async () => {
    await c.page.waitForLoadState('load');
    const empty = c.page.locator('#messages .empty');
    await empty.waitFor({ timeout: 10_000 });
    expect(await empty.innerText()).toContain('type /migrate help, or start with /migrate status');
    await c.page.waitForTimeout(1000); // the browser asks for the favicon after the page loaded
    expect(notFound).toEqual([]);
    await c.as('Carol');
    await c.page.reload();
    await c.page.locator('#messages[data-viewer="U0CAROL"]').waitFor({ state: 'attached', timeout: 10_000 });
    expect(await c.page.locator('#member').inputValue()).toBe('U0CAROL');
    expect(notFound).toEqual([]);
  }, 60_000);

  test('hop 1: lag, then a cutover approved by two teammates; the app moves to EC2', async () => {
    await c.as('Alice');
    await c.migrate('setup heroku-to-ec2', 'heartbeat table public.cutover_heartbeat on source heroku');
    await c.migrateUntil('lag heroku-to-ec2', /End-to-end lag \(heartbeat\):\s*[\d.]+ s[\s\S]*Last 30 min:.*min [\d.]+ s/, 60_000);
    // The chart follows the text; while the archive-fed standby's heartbeat is not yet trusted it may be
    // skipped, so ask again (as a person would) until one is in the channel.
    for (let i = 0; ; i++) {
      const shown = await c.page.locator('.file img').first().waitFor({ timeout: 15_000 }).then(() => true, () => false);
      if (shown) break;
      if (i === 3) throw new Error('no lag chart was posted after four `/migrate lag` in a minute');
      await c.migrate('lag heroku-to-ec2', /End-to-end lag/);
    }
    await c.migrate('lock cutover of hop 1', 'You hold the migration lock');
    await c.migrate('cutover heroku-to-ec2', 'the approval request is in the channel');
    // Alice asked: she may not approve her own request.
    await c.click('Approval needed: Cutover of heroku-to-ec2', 'Approve');
    await c.page.locator('.msg.ephemeral', { hasText: /own request/ }).waitFor();
    await approveAs(['Carol', 'Dan'], 'Cutover of heroku-to-ec2 (heroku → ec2)');
    const timeline = await c.waitForMessage(/Cutover heroku-to-ec2: heroku → ec2[\s\S]*done/, 60_000);
    expect(await timeline.innerText()).toMatch(/Promote the standby[\s\S]*promoted: the target left recovery/);
    expect(await c.waitForWorld('app DATABASE_URL', /^EC2$/)).toBe('EC2');
    expect(await c.world('EC2')).toMatch(/^primary/);
    expect(await c.waitForWorld('app', /^writing/)).toMatch(/writing/);
  }, 180_000);

  test('hop 2: the DMS task starts only now, and its progress shows an ETA', async () => {
    await c.as('Alice');
    await c.migrate('setup ec2-to-aurora', 'the same table on target aurora');
    await c.migrate('dms ec2-to-aurora start', 'is starting');
    const status = await c.migrateUntil('dms ec2-to-aurora status', /ETA: (about )?\d+ (s|min)/, 120_000);
    expect(status).toMatch(/Full load: \S* \d+%[\s\S]*Tables: \d loaded · \d loading · \d queued · 0 errored/);
  }, 240_000);

  test('hop 2: the latency bench times the queries on EC2 and Aurora, with a verdict and a chart', async () => {
    await c.as('Alice');
    await c.migrate('bench ec2-to-aurora', /\S/, 90_000);
    const answer = c.page.locator('.msg.ephemeral', { hasText: /GO: latency of .* against .* \(ec2-to-aurora\)/ }).last();
    await answer.waitFor({ timeout: 90_000 });
    expect(await answer.innerText()).toMatch(/orders_of_customer[\s\S]*revenue_by_day/);
    const chart = c.page.locator('.file', { hasText: 'bench-ec2-to-aurora.png' }).last().locator('img');
    await chart.waitFor({ timeout: 30_000 });
    await eventually(() => chart.evaluate((i) => (i as unknown as { complete: boolean; naturalWidth: number }).complete && (i as unknown as { naturalWidth: number }).naturalWidth > 0), 10_000, 'the bench chart to load');
    await answer.scrollIntoViewIfNeeded();
    await screenshot('rehearsal-bench.png');
  }, 150_000);

  test('an error-tracker outage blocks the cutover until it clears', async () => {
    await c.setSwitch('error-tracker-outage', true);
    await c.migrate('cutover ec2-to-aurora', 'NO-GO');
    expect(await (await c.waitForMessage('Go / no-go: ec2-to-aurora')).innerText()).toMatch(/Error tracker reachable:.*cannot see errors: HTTP 503/);
    await c.waitForMessage(/Alert.*Error tracker reachable/, 40_000);
    await c.setSwitch('error-tracker-outage', false);
    await c.waitForMessage(/Resolved.*Error tracker reachable/, 40_000);
  }, 120_000);

  test('the sequence check finds them behind; the fix is approved and runs', async () => {
    await c.migrate('sequences ec2-to-aurora check', /2 sequences behind, 1 column lost its default/);
    await c.migrate('sequences ec2-to-aurora fix', 'exact SQL is in the approval request');
    await approveAs(['Bob', 'Carol'], 'Approval needed: Fix');
    const fix = await (await c.waitForMessage(/Fix \d+ sequence statements[\s\S]*Run (succeeded|failed)/, 30_000)).innerText();
    // The app still writes on EC2, so replication may bring a sequence behind again after the fix: said, not failed.
    expect(fix).toMatch(/setval[\s\S]*Run succeeded.*(no sequence behind, no lost default|every sequence passed its column's max)/);
  }, 120_000);

  /** Types `/migrate verify ec2-to-aurora --full` as `member`; the run's id. */
  async function startFullVerify(member: string): Promise<string> {
    await c.as(member);
    const reply = await (await c.migrate('verify ec2-to-aurora --full', 'Full verify of ec2-to-aurora started', 30_000)).innerText();
    return /\(run (\w+)\)/.exec(reply)![1];
  }

  /** The outcome of full verify `run`: its message, headline, summary, and the thread's bullets by section. */
  async function fullVerifyOutcome(run: string): Promise<FullVerifyOutcome> {
    // The lag window is 120 s at most; the rehearsal's tables take seconds.
    const message = await c.waitForMessage(new RegExp(`Full verify of ec2-to-aurora finished[\\s\\S]*run ${run}[\\s\\S]*Full verify of ec2-to-aurora \\(\\w+ source\\)`), 180_000);
    const isSummary = (r: string) => /Full verify of ec2-to-aurora \(\w+ source\)/.test(r);
    // The summary is the thread's first reply; the sections it announces are posted after it, one by one.
    const replies = await eventually(async () => {
      const all = await message.locator('.thread > .msg').allInnerTexts();
      const s = all.find(isSummary) ?? '';
      const due = [...(/no persistent difference/.test(s) ? [] : ['Persistent differences']), ...(/; 0 in flight/.test(s) ? [] : ['In flight (changed during the run, not a loss)'])];
      return due.every((title) => all.some((r) => r.includes(title))) ? all : undefined;
    }, 15_000, `the sections the summary of run ${run} announces`);
    const bullets = (title: string) => replies.filter((r) => r.includes(title)).flatMap((r) => r.split('\n').filter((l) => l.startsWith('•')));
    const head = (await message.locator('.block.section').first().innerText()).trim();
    const summary = replies.find(isSummary)!;
    return { message, head, summary, persistent: bullets('Persistent differences'), inFlight: bullets('In flight (changed during the run, not a loss)') };
  }

  const fullVerifyAs = async (member: string) => fullVerifyOutcome(await startFullVerify(member));

  test('hop 2: a full verify while the app writes and DMS lags: no false alarm, the rows not yet replicated are named in flight', async () => {
    await c.waitForWorld('DMS task', /running · full load 100%/, 120_000);
    const writes = async () => Number((await c.world('writes / errors')).split(' / ')[0]);
    expect(await c.world('app')).toMatch(/^writing/);
    // DMS falls a few seconds behind (as it does under load): the app's newest orders are on EC2, not yet on Aurora.
    await c.setSwitch('pause-replication', true);
    const before = await writes();
    await eventually(async () => (await writes()) >= before + 20, 20_000, 'the app to write 20 orders while DMS is behind');
    const run = await startFullVerify('Bob');
    // The comparison takes a second here; the verify then waits for its heartbeat to reach Aurora, which it does once DMS catches up.
    await c.page.waitForTimeout(5000);
    await c.setSwitch('pause-replication', false);
    const v = await fullVerifyOutcome(run);
    expect(await c.world('app')).toMatch(/^writing/);
    expect(await c.world('app DATABASE_URL')).toBe('EC2');
    expect(v.head).toMatch(/Full verify of ec2-to-aurora finished: every row of \d+ tables matches \(\d+ rows in flight, listed apart\)/);
    expect(await v.message.innerText()).toContain('source live: differences confirmed after the target caught up (heartbeat)');
    expect(v.summary).toMatch(/\(live source\)/);
    expect(v.persistent).toEqual([]);
    // The orders and payments written while DMS was behind: each counted under the in-flight heading, named (ten a table) or as "and N more".
    const inFlight = Number(/no persistent difference; (\d+) in flight/.exec(v.summary)![1]);
    expect(inFlight).toBeGreaterThanOrEqual(16);
    expect(v.inFlight.map((l) => /^• (\S+):/.exec(l)?.[1]).sort()).toEqual(['public.orders', 'public.payments']);
    const named = v.inFlight.flatMap((l) => l.match(/\bid=\d+/g) ?? []).length;
    const more = v.inFlight.reduce((n, l) => n + Number(/; and (\d+) more$/.exec(l)?.[1] ?? 0), 0);
    expect(named + more).toBe(inFlight);
    await v.message.scrollIntoViewIfNeeded();
    await screenshot('rehearsal-verify-live.png');
  }, 300_000);

  test('hop 2: rows lost on Aurora are each named missing by the full verify; restored, the next one is clean', async () => {
    await c.setSwitch('lose-target-rows', true);
    const lost = await c.waitForWorld('lost on Aurora', /^orders id \d+, \d+, \d+ deleted on Aurora$/, 15_000);
    const ids = lost.match(/\d+/g)!.map(Number);
    expect(new Set(ids).size).toBe(3);
    const v = await fullVerifyAs('Carol');
    expect(v.head).toMatch(/Full verify of ec2-to-aurora finished: 3 persistent differences/);
    expect(v.summary).toMatch(/3 persistent differences in 1 table;/);
    expect(v.persistent).toHaveLength(1);
    expect(v.persistent[0]).toMatch(/^• public\.orders: 3 differing keys: /);
    const named = [...v.persistent[0].matchAll(/id=(\d+) missing on the target/g)].map((m) => Number(m[1]));
    expect(named.sort((a, b) => a - b)).toEqual(ids);
    // The lost rows are never taken for rows in flight.
    expect(v.inFlight.join('\n')).not.toMatch(new RegExp(`public\\.orders: .*\\bid=(${ids.join('|')})\\b`));
    await v.message.scrollIntoViewIfNeeded();
    await screenshot('rehearsal-verify-lost-rows.png');

    // Off copies them back from EC2: the next full verify is clean, and the cutover below sees equal data.
    await c.setSwitch('lose-target-rows', false);
    expect(await c.waitForWorld('lost on Aurora', /^–$/, 15_000)).toBe('–');
    const after = await fullVerifyAs('Dan');
    expect(after.head).toMatch(/Full verify of ec2-to-aurora finished: every row of \d+ tables matches/);
    expect(after.persistent).toEqual([]);
  }, 600_000);

  test('hop 2 cuts over once the full load is done; the app writes to Aurora and nothing is lost', async () => {
    await c.waitForWorld('DMS task', /running · full load 100%/, 120_000);
    await c.as('Alice');
    await c.migrate('cutover ec2-to-aurora', 'the approval request is in the channel', 30_000);
    await approveAs(['Bob', 'Dan'], 'Cutover of ec2-to-aurora (ec2 → aurora)');
    const timeline = await c.waitForMessage(/Cutover ec2-to-aurora: ec2 → aurora[\s\S]*done/, 60_000);
    expect(await timeline.innerText()).toMatch(/Stop the DMS task[\s\S]*DMS task ec2toaurora stopped[\s\S]*fixed the sequences/);
    expect(await c.waitForWorld('app DATABASE_URL', /^Aurora$/)).toBe('Aurora');
    expect(await c.waitForWorld('app', /^writing/)).toMatch(/writing/);
    expect(await c.waitForWorld('nothing lost', /^yes: Aurora/)).toMatch(/all \d+ the app committed/);
    expect(await c.world('writes / errors')).toMatch(/ \/ 0$/);
  }, 240_000);

  test('the error-rate watch after the cutover alerts on a spike and offers a rollback', async () => {
    const before = await c.world('writes / errors');
    await c.setSwitch('app-errors', true);
    // The side panel counts the errors the switch makes the app report.
    const during = await c.waitForWorld('writes / errors', /\/ [1-9]\d*$/, 10_000);
    expect(Number(during.split(' / ')[1])).toBeGreaterThan(Number(before.split(' / ')[1]));
    const alert = await c.waitForMessage(/Error rate spiking.*right after the cutover of ec2-to-aurora/, 60_000);
    expect(await alert.locator('button.bk').innerText()).toContain('Roll back ec2-to-aurora');
    await c.setSwitch('app-errors', false);
    // Once the panel has caught up with the switch (it reads the world once a second), the count stays.
    await c.page.waitForTimeout(2500);
    const stopped = (await c.world('writes / errors')).split(' / ')[1];
    await c.page.waitForTimeout(2500);
    expect((await c.world('writes / errors')).split(' / ')[1]).toBe(stopped);
    await c.page.screenshot({ path: SCREENSHOT });
    console.log(`screenshot: ${SCREENSHOT}`);
  }, 120_000);

  test('the Home tab shows what the bot published to the selected member', async () => {
    await c.as('Alice');
    await c.page.click('[data-tab="home"]');
    const home = c.page.locator('#home[data-viewer="U0ALICE"] .block.header', { hasText: 'Migration rehearsal' });
    await home.waitFor({ timeout: 60_000 });
    expect(await c.page.locator('#home').innerText()).toMatch(/ec2-to-aurora/);
    await screenshot('rehearsal-home.png');
    await c.page.click('[data-tab="channel"]');
  }, 90_000);

  test('/migrate report posts the HTML report; the console lists it and opens it', async () => {
    await c.migrate('report', /\S/, 60_000);
    const file = c.page.locator('.file', { hasText: /migration-report-rehearsal-[\d-]+\.html/ }).last();
    await file.waitFor({ timeout: 60_000 });
    const href = (await file.locator('a.download').getAttribute('href'))!;
    await file.scrollIntoViewIfNeeded();
    await screenshot('rehearsal-report-in-channel.png');
    const report = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const res = await report.goto(new URL(href, rehearsal.url).toString());
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-type']).toContain('text/html');
    expect(await report.locator('body').innerText()).toMatch(/heroku-to-ec2[\s\S]*ec2-to-aurora/);
    const path = join(ARTIFACTS, 'rehearsal-report.png');
    await report.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
    await report.close();
  }, 120_000);

  test('Ctrl-C stops everything and leaves no process or cluster behind', async () => {
    const folder = rehearsal.folder;
    expect(folder).toMatch(/cutover-rehearsal-/);
    expect(rehearsal.pids).toHaveLength(2);
    expect(existsSync(folder)).toBe(true);
    rehearsal.child.kill('SIGINT');
    expect(await rehearsal.exited).toBe(0);
    expect(rehearsal.output()).toContain('stopped: no process or cluster left behind');
    expect(existsSync(folder)).toBe(false);
    const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(folder) || l.includes('rehearsal-plan.yml'));
    expect(left).toEqual([]);
    for (const pid of rehearsal.pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(rehearsal.url)).rejects.toThrow();
    // The page still open says the rehearsal is gone.
    await c.page.locator('#gone').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await c.page.locator('#gone').innerText()).toContain('The rehearsal is gone');
  }, 60_000);
});
