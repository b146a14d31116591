import type { ConfirmationDialog } from '@slack/types';

// Slack's limits for a confirmation dialog: title 100 characters, text 300, each button 30.
const TITLE_MAX = 100;
const TEXT_MAX = 300;
const BUTTON_MAX = 30;

const fit = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * The Block Kit `confirm` object a button carries: Slack asks "are you sure?" before the click reaches
 * the bot. `what` says in one line what will happen; `danger` paints the confirm button red.
 */
export function confirmDialog(title: string, what: string, confirm: string, style: 'primary' | 'danger' = 'danger'): ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: fit(title, TITLE_MAX) },
    text: { type: 'plain_text', text: fit(what, TEXT_MAX) },
    confirm: { type: 'plain_text', text: fit(confirm, BUTTON_MAX) },
    deny: { type: 'plain_text', text: 'Cancel' },
    style,
  };
}
