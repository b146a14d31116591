import type { Incident } from '../alerts/incident';
import { duration, notice, type MessageView } from './slack-text';

export function alertFiredView(i: Incident): MessageView {
  return notice(`:rotating_light: *Alert* — ${i.summary}`);
}

export function alertReminderView(i: Incident, now: number): MessageView {
  return notice(`:bell: *Still firing* for ${duration(now - i.since)} — ${i.summary}`);
}

export function alertResolvedView(i: Incident, resolvedAt: number): MessageView {
  return notice(`:white_check_mark: *Resolved* after ${duration(resolvedAt - i.since)} — was: ${i.summary}`);
}

export function alertWorseView(i: Incident): MessageView {
  return notice(`:arrow_up: *Worse* — ${i.summary}`);
}
