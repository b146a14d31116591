import { helpView } from '../views/help-view';
import type { Subcommand } from './subcommand';

/** `/migrate help`: every subcommand with its usage. Built from the registry, so it cannot drift. */
export function helpCommand(all: () => Subcommand[]): Subcommand {
  return {
    name: 'help',
    usage: 'help',
    summary: 'List every subcommand',
    mutating: false,
    changesMigration: false,
    run: async () => ({ reply: helpView(all()) }),
  };
}
