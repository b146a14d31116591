// Slash-command acknowledgement under load: 200 signed /migrate commands a second for 30 s through
// the real HTTP receiver, against the bot (with Redis) and, in the same run, a bare Bolt app that
// only acknowledges. Both run as their own processes; this process only sends and times.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { BOT_TOKEN, SIGNING_SECRET } from '../test/support/bot-harness';
import { eventually, freePort } from '../test/support/free-port';
import { TEST_REDIS_URL } from '../test/support/redis';
import { postSigned, slackSignature, slashCommandBody } from '../test/support/signed-request';
import { percentile } from './counting-queryable';
import type { Figure } from './sampling-round';

const root = join(__dirname, '..');

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

interface RemoteSlack {
  apiUrl: string;
  responseUrl(key: string): string;
  answered(): Promise<number>;
}

/** Starts the Slack stand-in as its own process. */
async function remoteSlack(children: ChildProcess[]): Promise<RemoteSlack> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'slack-stand-in-process.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((resolve) => child.stdout!.once('data', (d) => resolve(String(d))));
  const [port, statsPort] = line.trim().split(' ').map(Number);
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: (key) => `http://127.0.0.1:${port}/respond/${encodeURIComponent(key)}`,
    answered: async () => ((await (await fetch(`http://127.0.0.1:${statsPort}/`)).json()) as { responses: number }).responses,
  };
}

interface Run {
  latencies: number[];
  errors: number;
}

function pooled(runs: Run[]): Run {
  return { latencies: runs.flatMap((r) => r.latencies).sort((a, b) => a - b), errors: runs.reduce((n, r) => n + r.errors, 0) };
}

/** A signed request built before the clock starts, so that the sender's own work and garbage stay out of the figures. */
function preparedRequest(agent: Agent, url: URL, body: string): (onDone: (status: number | undefined) => void) => void {
  const ts = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(body);
  const headers = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'Content-Length': String(payload.length),
    'X-Slack-Request-Timestamp': String(ts),
    'X-Slack-Signature': slackSignature(SIGNING_SECRET, ts, body),
  };
  return (onDone) => {
    let settled = false;
    const settle = (status: number | undefined) => {
      if (settled) return;
      settled = true;
      onDone(status);
    };
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.once('end', () => settle(res.statusCode));
    });
    req.once('error', () => settle(undefined));
    req.end(payload);
  };
}

async function load(url: string, slack: RemoteSlack, perSecond: number, seconds: number, text: string): Promise<Run> {
  const total = perSecond * seconds;
  const target = new URL(url);
  // Connections are kept alive within a run, like Slack's; a fresh pool per run, so that no run inherits sockets the server has since closed.
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const sends = Array.from({ length: total }, (_, i) => preparedRequest(agent, target, slashCommandBody({ user: 'U0LOAD', text, responseUrl: slack.responseUrl(`load-${i}`) })));
  const latencies = new Float64Array(total);
  let answered = 0;
  let errors = 0;
  let allAnswered!: () => void;
  const done = new Promise<void>((resolve) => (allAnswered = resolve));
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // Open loop: each request leaves on its schedule, whether or not earlier ones have been answered.
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    sends[i]((status) => {
      latencies[i] = performance.now() - t;
      if (status !== 200) errors++;
      if (++answered === total) allAnswered();
    });
  }
  await done;
  agent.destroy();
  return { latencies: Array.from(latencies).sort((a, b) => a - b), errors };
}

export async function benchAckLatency(perSecond = 200, seconds = 30): Promise<Figure[]> {
  const children: ChildProcess[] = [];
  const slack = await remoteSlack(children);
  const dir = mkdtempSync(join(tmpdir(), 'cutover-bench-'));
  const plan = join(dir, 'plan.yml');
  writeFileSync(plan, `name: bench-${randomUUID().slice(0, 8)}\nchannel: C0BENCH\ndatabases: { a: { url_env: A_URL }, b: { url_env: B_URL } }\nhops: [{ id: h, method: physical, source: a, target: b }]\naccess: { operators: [U0OPS], approvers: [U0APP] }\nschedule: { heartbeat: '0 0 0 1 1 *', sample: '0 0 0 1 1 *', update: '0 0 0 1 1 *', dms: '0 0 0 1 1 *', health: '0 0 0 1 1 *' }\n`);
  try {
    const barePort = await freePort();
    const bare = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bare-bolt-app.ts'), String(barePort), slack.apiUrl, SIGNING_SECRET], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(bare);
    const botPort = await freePort();
    // The bot as it is deployed (the Procfile's `node dist/main.js`), freshly built.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
    const bot = spawn(process.execPath, [join(root, 'dist/main.js')], {
      cwd: root,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: String(botPort), REDIS_URL: TEST_REDIS_URL, MIGRATION_PLAN: plan, A_URL: 'postgres://127.0.0.1:1/a', B_URL: 'postgres://127.0.0.1:1/b', LOG_LEVEL: 'error' },
    });
    children.push(bot);
    await eventually(async () => (await fetch(`http://127.0.0.1:${botPort}/healthz`)).status === 200, 30_000, 'the bot');
    await eventually(async () => (await fetch(`http://127.0.0.1:${barePort}/slack/events`, { method: 'POST' }).catch(() => undefined)) !== undefined, 30_000, 'the bare app');
    const botUrl = `http://127.0.0.1:${botPort}/slack/events`;
    const bareUrl = `http://127.0.0.1:${barePort}/slack/events`;
    // Warm both up.
    await load(bareUrl, slack, 50, 2, 'status');
    await load(botUrl, slack, 50, 2, 'status');
    // Three 30 s pairs in A-B, B-A, A-B order, so that whatever drifts on the machine during the run
    // (the other processes, the load generator's own heap) weighs on both apps alike.
    const bareRuns: Run[] = [];
    const botRuns: Run[] = [];
    for (const order of [['bare', 'bot'], ['bot', 'bare'], ['bare', 'bot']]) {
      for (const who of order) {
        if (who === 'bare') bareRuns.push(await load(bareUrl, slack, perSecond, seconds, 'status'));
        else botRuns.push(await load(botUrl, slack, perSecond, seconds, 'status'));
      }
    }
    const bareRun = pooled(bareRuns);
    const botRun = pooled(botRuns);
    // Every command the bot acknowledged must also be answered.
    const expected = 100 + botRun.latencies.length - botRun.errors;
    await eventually(async () => (await slack.answered()) >= expected, 60_000, `every answer (${expected} expected)`);
    const rssAfterLoad = rssMb(bot.pid!);
    const commands = expected;
    // Full `/migrate status`: from the command to its answer through response_url.
    const statusTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const before = await slack.answered();
      const t = performance.now();
      await postSigned(botUrl, slashCommandBody({ user: 'U0LOAD', text: 'status', responseUrl: slack.responseUrl(`status-${i}`) }), { secret: SIGNING_SECRET });
      while ((await slack.answered()) <= before) await new Promise((r) => setTimeout(r, 1));
      statusTimes.push(performance.now() - t);
    }
    statusTimes.sort((a, b) => a - b);
    const p = (xs: number[], q: number) => percentile(xs, q).toFixed(2);
    const how = `${perSecond}/s, three ${seconds} s runs per app in A-B B-A A-B order (${3 * perSecond * seconds} signed requests each), open loop, bot (node dist/main.js) and bare Bolt app as separate processes on this 2-core machine, same run; requests signed before the clock starts, sent with node:http keep-alive`;
    const pairRatios = botRuns.map((b, i) => (percentile(b.latencies, 99) / percentile(bareRuns[i].latencies, 99)).toFixed(2)).join(', ');
    return [
      { name: 'ack latency, bare Bolt app: p50 / p99', value: `${p(bareRun.latencies, 50)} / ${p(bareRun.latencies, 99)} ms, ${bareRun.errors} errors`, how },
      { name: 'ack latency, Cutover (/migrate status, Redis): p50 / p99', value: `${p(botRun.latencies, 50)} / ${p(botRun.latencies, 99)} ms, ${botRun.errors} errors`, how },
      {
        name: 'ack latency ratio Cutover ÷ bare: p50 / p99',
        value: `${(percentile(botRun.latencies, 50) / percentile(bareRun.latencies, 50)).toFixed(2)}× / ${(percentile(botRun.latencies, 99) / percentile(bareRun.latencies, 99)).toFixed(2)}×`,
        how: `all runs pooled per app; target: at most 1.3×, zero errors. p99 ratio of each pair: ${pairRatios}`,
      },
      { name: '/migrate status, command to answer: p50 / p99', value: `${p(statusTimes, 50)} / ${p(statusTimes, 99)} ms`, how: '200 in sequence, answer through response_url to the Slack stand-in (polled every ms, which adds up to ~1 ms); state from Redis' },
      { name: `bot resident memory after ${commands.toLocaleString('en')} commands`, value: `${rssAfterLoad.toFixed(0)} MB`, how: 'VmRSS of the bot process (node dist/main.js), after the load and every answer' },
    ];
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
}
