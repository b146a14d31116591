import type { FormationEntry } from './heroku-api';
import { HerokuApi } from './heroku-api';

/** What a cutover does to the application: stop its writes, point it at a database, bring it back. */
export interface AppControl {
  /** The running formation of these process types: what to restore later. */
  formation(processTypes: string[]): Promise<FormationEntry[]>;
  /** Maintenance on and these process types scaled to 0. */
  stopWrites(processTypes: string[]): Promise<void>;
  startWrites(saved: FormationEntry[]): Promise<void>;
  /** Points the app's database variable at `url`; a rerun after a crash at any point finishes the job. */
  pointAt(configVar: string, url: string): Promise<string>;
}

/**
 * Heroku: maintenance mode, formation, config vars. A DATABASE_URL that an add-on attachment owns
 * cannot be overwritten: the add-on is attached again under another name (so the old database stays
 * reachable for a rollback) and the owning attachment removed before the variable is set. Pointing
 * back at that add-on's database (a rollback) gives it its attachment back, so that Heroku manages
 * the variable again (credential rotations, maintenance) as before the cutover.
 */
export function herokuAppControl(api: HerokuApi, app: string): AppControl {
  return {
    async formation(processTypes) {
      return (await api.formation()).filter((f) => processTypes.includes(f.type)).map((f) => ({ type: f.type, quantity: f.quantity, size: f.size }));
    },
    async stopWrites(processTypes) {
      await api.setMaintenance(true);
      await api.scale(processTypes.map((type) => ({ type, quantity: 0 })));
    },
    async startWrites(saved) {
      if (saved.length) await api.scale(saved.map((f) => ({ type: f.type, quantity: f.quantity })));
      await api.setMaintenance(false);
    },
    async pointAt(configVar, url) {
      const vars = await api.configVars();
      const attachmentName = configVar.replace(/_URL$/, '');
      const parkedName = `CUTOVER_OLD_${attachmentName}`;
      if (vars[`${parkedName}_URL`] === url) {
        const attachments = await api.attachments();
        const parked = attachments.find((a) => a.name === parkedName);
        if (parked) {
          // Each call is checked first, so a run interrupted half-way finishes on the next try.
          if (!attachments.some((a) => a.name === attachmentName)) {
            if (vars[configVar] !== undefined) await api.setConfigVars({ [configVar]: null });
            await api.attach(parked.addon.id, attachmentName);
          }
          await api.detach(parked.id);
          return `${configVar} is the add-on ${parked.addon.name}'s again (attachment ${attachmentName} restored, ${parkedName} removed)`;
        }
      }
      if (vars[configVar] === url) return `${configVar} already points there`;
      const attachments = await api.attachments();
      const owner = attachments.find((a) => a.name === attachmentName);
      let note = '';
      if (owner) {
        // A run that died after parking the add-on finds it parked already: the name is taken, and that is fine.
        const parked = attachments.find((a) => a.name === parkedName);
        if (parked && parked.addon.id !== owner.addon.id) {
          throw new Error(`${parkedName} already holds add-on ${parked.addon.name}, not ${owner.addon.name} that owns ${configVar}: nothing was changed; remove one of them by hand`);
        }
        if (!parked) await api.attach(owner.addon.id, parkedName);
        await api.detach(owner.id);
        note = ` (add-on ${owner.addon.name} re-attached as ${parkedName} first)`;
      }
      await api.setConfigVars({ [configVar]: url });
      return `${configVar} set on ${app}${note}`;
    },
  };
}
