import type { Hop } from '../../plan/plan';

/** The platform calls a step makes, as --dry-run shows them. */
export function appCalls(hop: Hop, step: 'stop' | 'point' | 'start'): string[] {
  const appUrl = `<the URL in ${hop.target.appUrlEnv ?? '? (no app_url_env: refused)'}>`;
  if (hop.app?.platform === 'webhook') {
    const to = `POST <the URL in ${hop.app.webhookUrlEnv}>`;
    if (step === 'stop') return [`${to} {"action": "formation", "process_types": [${hop.app.processTypes.map((t) => `"${t}"`).join(', ')}]}`, `${to} {"action": "stop-writes", …}`];
    if (step === 'start') return [`${to} {"action": "start-writes", "formation": [the saved formation]}`];
    return [`${to} {"action": "point-at", "config_var": "${hop.app.configVar}", "database_url": ${appUrl}}`];
  }
  const app = hop.app?.name ?? '?';
  if (step === 'stop') return [`GET /apps/${app}/formation`, `PATCH /apps/${app} {"maintenance": true}`, `PATCH /apps/${app}/formation {"updates": [${(hop.app?.processTypes ?? []).map((t) => `{"type": "${t}", "quantity": 0}`).join(', ')}]}`];
  if (step === 'start') return [`PATCH /apps/${app}/formation {"updates": [the saved quantities]}`, `PATCH /apps/${app} {"maintenance": false}`];
  return [
    `GET /apps/${app}/config-vars`,
    `GET /apps/${app}/addon-attachments — if ${hop.app?.configVar} is owned by an attachment: POST /addon-attachments {"name": "CUTOVER_OLD_…"}, DELETE the owning attachment`,
    `PATCH /apps/${app}/config-vars {"${hop.app?.configVar}": ${appUrl}}`,
  ];
}
