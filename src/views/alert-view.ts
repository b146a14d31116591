import type { Incident } from '../alerts/incident';
import { confirmDialog } from './confirm-dialog';
import { duration, notice, type MessageView } from './slack-text';

export function alertFiredView(i: Incident): MessageView {
  const view = notice(`:rotating_light: *Alert* — ${i.summary}`);
  if (!i.buttons?.length) return view;
  const elements = i.buttons.map((b) => ({ type: 'button' as const, action_id: b.actionId, value: b.value, style: b.style, text: { type: 'plain_text' as const, text: b.text }, ...(b.confirm ? { confirm: confirmDialog(b.confirm.title, b.confirm.text, b.confirm.button, b.style ?? 'primary') } : {}) }));
  return { ...view, blocks: [...view.blocks, { type: 'actions', elements }] };
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
