// The baseline for the acknowledgement benchmark: a bare Bolt app that acknowledges a trivial
// command and does nothing else. Usage: tsx bare-bolt-app.ts <port> <slackApiUrl> <signingSecret>
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

async function main(): Promise<void> {
  const [port, slackApiUrl, signingSecret] = process.argv.slice(2);
  const app = new App({
    token: 'xoxb-bare-app-token',
    receiver: new HTTPReceiver({ signingSecret, endpoints: '/slack/events' }),
    clientOptions: { slackApiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
  });
  app.command('/migrate', async ({ ack }) => {
    await ack();
  });
  await app.start(Number(port));
  process.stdout.write('READY\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
