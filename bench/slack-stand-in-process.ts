// The Slack stand-in in a process of its own, so that receiving the bot's answers does not slow the
// process that times the acknowledgements. Prints its port; GET /stats says how many answers it got.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackStandIn } from '../test/support/slack-stand-in';

async function main(): Promise<void> {
  const slack = await new SlackStandIn().start();
  const stats = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ responses: slack.responses.length, calls: slack.calls.length }));
  });
  await new Promise<void>((r) => stats.listen(0, '127.0.0.1', r));
  process.stdout.write(`${slack.port} ${(stats.address() as AddressInfo).port}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
