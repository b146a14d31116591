import { WebClient } from '@slack/web-api';
import { ChannelPoster } from '../../src/slack/channel-poster';
import { MessageEdits } from '../../src/slack/message-edits';
import { slackClientOptions } from '../../src/slack/slack-client-options';
import { SlackStandIn } from '../support/slack-stand-in';

const view = (text: string) => ({ text, blocks: [] });

// Edits of one message sent side by side could land out of order: a slow (or retried) edit drawn
// while a cutover step ran arrived after the edit drawn when the run failed, and the timeline stayed
// "running", without its Resume button and without the failure's GRANT.
describe('edits of one message land in the order they were asked for', () => {
  let slack: SlackStandIn;
  let poster: ChannelPoster;
  beforeEach(async () => {
    slack = await new SlackStandIn().start();
    poster = new ChannelPoster(new WebClient('xoxb-edits', slackClientOptions({ apiUrl: slack.apiUrl, retryConfig: { retries: 0 } })));
  });
  afterEach(() => slack.stop());

  const applied = (ts: string) => slack.callsOf('chat.update').filter((c) => c.args.ts === ts).map((c) => c.args.text);

  test('a slow older edit does not land over a newer one', async () => {
    const { ts } = await poster.post('C0EDITS', view('posted'));
    slack.arrivals.set('chat.update', (args) => (args.text === 'running' ? 800 : 0));
    await Promise.all([poster.update('C0EDITS', ts, view('running')), poster.update('C0EDITS', ts, view('failed'))]);
    expect(applied(ts).at(-1)).toBe('failed');
  });

  test('edits asked for while one is in flight: only the newest is sent after it, and every caller is answered', async () => {
    const { ts } = await poster.post('C0EDITS', view('posted'));
    slack.arrivals.set('chat.update', (args) => (args.text === 'step 1' ? 300 : 0));
    await Promise.all(['step 1', 'step 2', 'step 3', 'done'].map((t) => poster.update('C0EDITS', ts, view(t))));
    expect(applied(ts)).toEqual(['step 1', 'done']);
  });

  test('another message does not wait', async () => {
    const a = await poster.post('C0EDITS', view('a'));
    const b = await poster.post('C0EDITS', view('b'));
    slack.arrivals.set('chat.update', (args) => (args.text === 'a slow' ? 600 : 0));
    const slow = poster.update('C0EDITS', a.ts, view('a slow'));
    await poster.update('C0EDITS', b.ts, view('b fast'));
    expect(applied(b.ts)).toEqual(['b fast']);
    expect(applied(a.ts)).toEqual([]);
    await slow;
    expect(applied(a.ts)).toEqual(['a slow']);
  });

  test('a failed edit fails its caller, and the next edit still goes', async () => {
    const { ts } = await poster.post('C0EDITS', view('posted'));
    slack.override('chat.update', (args) => (args.text === 'broken' ? { status: 200, body: { ok: false, error: 'msg_too_long' } } : undefined));
    await expect(poster.update('C0EDITS', ts, view('broken'))).rejects.toThrow(/msg_too_long/);
    await poster.update('C0EDITS', ts, view('fine'));
    expect(applied(ts).at(-1)).toBe('fine');
  });
});

describe('MessageEdits', () => {
  test('an edit replaced before it was sent is answered with the outcome of the one that replaced it', async () => {
    const sent: string[] = [];
    let release!: () => void;
    const edits = new MessageEdits<string>(async (v) => {
      sent.push(v);
      if (v === 'first') await new Promise<void>((r) => (release = r));
      if (v === 'third') throw new Error('Slack said no');
    });
    const first = edits.edit('m', 'first');
    const second = edits.edit('m', 'second');
    const third = edits.edit('m', 'third');
    release();
    await first;
    await expect(second).rejects.toThrow('Slack said no');
    await expect(third).rejects.toThrow('Slack said no');
    expect(sent).toEqual(['first', 'third']);
    await edits.edit('m', 'fourth');
    expect(sent).toEqual(['first', 'third', 'fourth']);
  });
});
