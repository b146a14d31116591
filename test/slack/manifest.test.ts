import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allSubcommands } from '../../src/commands/registry';

/**
 * The bot scope each Web API method the code calls needs (Slack's method reference). A method the code
 * calls that is not here fails the test: add it with its scope, and the manifest with it.
 * files.uploadV2 is the SDK's wrapper over files.getUploadURLExternal + files.completeUploadExternal.
 */
const SCOPE_OF_METHOD: Record<string, string | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'files.uploadV2': 'files:write',
  'usergroups.users.list': 'usergroups:read',
  // The Home tab; Slack's method reference lists no scope for it (views.publish: "scopes": {}).
  'views.publish': null,
};
/** A slash command needs the `commands` scope. */
const SLASH_COMMAND_SCOPE = 'commands';
/** How the manifest's usage hint separates the subcommands' usages (some usages contain " | "). */
const HINT_SEPARATOR = ' · ';

const ROOT = join(__dirname, '../..');
const manifest = parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8'));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const sources = sourceFiles(join(ROOT, 'src')).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const all = (re: RegExp) => [...new Set(sources.flatMap((s) => [...s.text.matchAll(re)].map((m) => m[1])))].sort();

/** Web API methods called on a WebClient (`client.chat.postMessage(`, `client.apiCall('x.y'`). */
const calledMethods = [...new Set([...all(/\bclient!?\??\.((?:[a-z]+\.)+[a-zA-Z0-9]+)\(/g), ...all(/\bapiCall\(\s*'([a-zA-Z.]+)'/g)])].sort();
const slashCommands = all(/\bapp\.command\(\s*'([^']+)'/g);
const receiverEndpoints = all(/\bendpoint:\s*'([^']+)'/g);
const listens = (kind: string) => sources.some((s) => new RegExp(`\\bapp\\.${kind}\\s*[<(]`).test(s.text));

describe("manifest.yml follows the code: Slack's app matches the commands, listeners and Web API calls", () => {
  const command = manifest.features.slash_commands;

  test('the code calls the Web API methods the scope table knows (and the scan finds them at all)', () => {
    expect(calledMethods).toEqual(expect.arrayContaining(['chat.postMessage', 'files.uploadV2']));
    expect(calledMethods.filter((m) => !(m in SCOPE_OF_METHOD))).toEqual([]);
  });

  test('bot scopes are exactly what the slash command and those methods need: nothing missing, nothing extra', () => {
    const needed = new Set<string>([SLASH_COMMAND_SCOPE, ...calledMethods.map((m) => SCOPE_OF_METHOD[m]).filter((s): s is string => Boolean(s))]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  test('one slash command, the one the code listens for, at the endpoint the receiver serves', () => {
    expect(slashCommands).toEqual(['/migrate']);
    expect(command.map((c: { command: string }) => c.command)).toEqual(slashCommands);
    expect(receiverEndpoints).toHaveLength(1);
    expect(new URL(command[0].url).pathname).toBe(receiverEndpoints[0]);
    expect(command[0].command.length).toBeLessThanOrEqual(32); // Slack's limit
  });

  test("the usage hint lists every subcommand's usage, in help's order, and no other", () => {
    const usages = allSubcommands().map((s) => s.usage);
    const hint: string = command[0].usage_hint;
    expect(hint.split(HINT_SEPARATOR)).toEqual(usages);
    expect(hint).toEqual(expect.stringContaining('acknowledge'));
    expect(hint).toEqual(expect.stringContaining('--full'));
    expect(hint.length).toBeLessThanOrEqual(1000); // Slack's limit for usage_hint
  });

  test('the Home tab is enabled exactly when the code publishes it', () => {
    expect(calledMethods.includes('views.publish')).toBe(true);
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
  });

  test('interactivity is on (the bot has buttons) at the same endpoint; events are subscribed only if the code listens for any', () => {
    expect(listens('action')).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(receiverEndpoints[0]);
    const events: string[] = manifest.settings.event_subscriptions?.bot_events ?? [];
    if (listens('event') || listens('message')) expect(events.length).toBeGreaterThan(0);
    else expect(events).toEqual([]);
    expect(listens('shortcut') || listens('view')).toBe(false); // none in the manifest: add them there first
    expect(manifest.features.shortcuts ?? []).toEqual([]);
  });
});
