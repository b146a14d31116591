import type { Locator, Page } from 'playwright-core';
import { eventually } from '../support/free-port';

/** The rehearsal console as a person uses it: pick a member, type /migrate commands, click buttons, flip switches. */
export class ConsolePage {
  constructor(readonly page: Page) {}

  /** Switches the member; resolves once the channel is drawn as that member sees it. */
  async as(name: string): Promise<void> {
    const id = (await this.page.locator('#member option', { hasText: name }).getAttribute('value'))!;
    await this.page.selectOption('#member', id);
    await this.page.locator(`#messages[data-viewer="${id}"]`).waitFor({ state: 'attached' });
  }

  /** Types `/migrate <text>` and waits for the bot's reply (the first reply after it) to contain `expect`. */
  async migrate(text: string, expectText: string | RegExp, timeoutMs = 20_000): Promise<Locator> {
    const typed = this.page.locator('#messages > .msg.typed').filter({ has: this.page.getByText(`/migrate ${text}`, { exact: true }) });
    const before = await typed.count();
    await this.page.fill('#command', text);
    await this.page.press('#command', 'Enter');
    await typed.nth(before).waitFor({ timeout: timeoutMs });
    const ts = await typed.nth(before).getAttribute('data-ts');
    const reply = this.page.locator(`#messages > .msg[data-ts="${ts}"] ~ .msg.ephemeral:not(.typed)`).first();
    await reply.waitFor({ timeout: timeoutMs });
    await expectToContain(reply, expectText, timeoutMs);
    return reply;
  }

  /** Types `/migrate <text>` again every few seconds until the reply matches (lag is unknown until the first heartbeat arrives). */
  async migrateUntil(text: string, expectText: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = (await (await this.migrate(text, /\S/)).innerText()) ?? '';
      if (expectText.test(reply)) return reply;
      if (Date.now() > deadline) throw new Error(`/migrate ${text} never answered ${expectText}; the last reply: ${reply}`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }

  /** The newest channel message containing `text`. */
  message(text: string | RegExp): Locator {
    return this.page.locator('#messages > .msg:not(.ephemeral)').filter({ hasText: text }).last();
  }

  async waitForMessage(text: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
    const m = this.message(text);
    await m.waitFor({ timeout: timeoutMs });
    return m;
  }

  /** Clicks the button labelled `label` on the newest message containing `text`. */
  async click(text: string | RegExp, label: string): Promise<void> {
    await (await this.waitForMessage(text)).locator('button.bk', { hasText: label }).first().click();
  }

  async setSwitch(name: string, on: boolean): Promise<void> {
    const box = this.page.locator(`[data-switch="${name}"]`);
    if ((await box.isChecked()) !== on) await box.click();
    await eventually(async () => (await box.isChecked()) === on, 10_000, `switch ${name} ${on ? 'on' : 'off'}`);
  }

  /** A row of the world panel, e.g. "app DATABASE_URL". */
  async world(key: string): Promise<string> {
    return (await this.page.locator(`#world tr[data-key="${key}"] td`).nth(1).innerText()) ?? '';
  }

  async waitForWorld(key: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    let last = '';
    await eventually(async () => pattern.test((last = await this.world(key))), timeoutMs, `"${key}" to match ${pattern}`).catch((e: Error) => {
      throw new Error(`${e.message}; it reads "${last}"`);
    });
    return last;
  }
}

async function expectToContain(l: Locator, text: string | RegExp, timeoutMs: number): Promise<void> {
  let t = '';
  await eventually(async () => {
    t = (await l.innerText()) ?? '';
    return typeof text === 'string' ? t.includes(text) : text.test(t);
  }, timeoutMs, `the reply to contain ${String(text)}`).catch((e: Error) => {
    throw new Error(`${e.message}; it reads: ${t}`);
  });
}
