import type { Hold } from '../state/migration-state';
import { escapeText, mention, notice, slackTime, type MessageView } from './slack-text';

export function holdLine(hold: Hold | undefined): string {
  if (!hold) return ':large_green_circle: *Hold:* none';
  return `:octagonal_sign: *Hold:* "${escapeText(hold.reason)}" — ${mention(hold.by)} at ${slackTime(hold.at)}. No cutover until \`/migrate unhold\`.`;
}

export function holdPlacedView(reason: string, by: string): MessageView {
  return notice(`:octagonal_sign: ${mention(by)} put the migration *on hold*: "${escapeText(reason)}". No cutover can start until \`/migrate unhold\`.`);
}

export function holdLiftedView(hold: Hold, by: string): MessageView {
  return notice(`:white_check_mark: ${mention(by)} lifted the hold ("${escapeText(hold.reason)}", placed by ${mention(hold.by)}).`);
}
