import type { App } from '@slack/bolt';
import { dispatch } from '../commands/dispatch';
import type { Cutover, Subcommand } from '../commands/subcommand';
import type { InFlightWork } from '../lifecycle/in-flight-work';
import type { Logger } from '../log';
import { redactDeep } from '../redaction';
import { notice } from '../views/slack-text';
import { postToResponseUrl } from './response-url';
import type { ChannelPoster } from './channel-poster';

/** `/migrate …`: acknowledged at once; the answer follows through response_url. */
export function registerMigrateCommand(app: App, deps: { cutover: Cutover; subcommands: Subcommand[]; work: InFlightWork; poster: ChannelPoster; log: Logger }): void {
  const { cutover, subcommands, work, poster, log } = deps;
  app.command('/migrate', async ({ command, ack }) => {
    await ack();
    const respond = (message: object) => postToResponseUrl(command.response_url, message);
    if (work.isClosing) {
      await respond({ response_type: 'ephemeral', ...notice('The bot is restarting; nothing was done. Try again in a minute.') }).catch(() => undefined);
      return;
    }
    await work.track(async () => {
      const out = await dispatch({ user: command.user_id, channel: command.channel_id, text: command.text ?? '' }, subcommands, cutover, log);
      try {
        await respond({ response_type: 'ephemeral', ...redactDeep(out.reply) });
      } catch (e) {
        log.error({ err: e, user: command.user_id }, 'could not answer /migrate through response_url');
      }
      for (const file of out.files ?? []) {
        try {
          await poster.upload(command.channel_id, file);
        } catch (e) {
          log.error({ err: e, file: file.filename }, 'could not upload a file');
          await respond({ response_type: 'ephemeral', replace_original: false, text: `(The chart could not be uploaded here: ${(e as Error).message}. The text above has the same figures.)` }).catch(() => undefined);
        }
      }
      if (out.announce) {
        await poster.post(cutover.plan.channel, out.announce).catch((e) => log.error({ err: e }, 'could not announce in the channel'));
      }
    });
  });
}
