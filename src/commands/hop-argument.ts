import { hopById, type Hop } from '../plan/plan';
import { UsageError, type Cutover } from './subcommand';

/** The hop a command names, or the current hop when it names none. */
export async function hopArgument(arg: string | undefined, c: Cutover): Promise<Hop> {
  const id = arg ?? (await c.migration.read()).currentHop;
  const hop = hopById(c.plan, id);
  if (!hop) throw new UsageError(`no hop "${id.slice(0, 60)}"; the plan's hops are ${c.plan.hops.map((h) => h.id).join(', ')}`);
  return hop;
}

/** For "<subcommand> [hop] …": takes the hop off the front of `args` when it names one, else the current hop. */
export async function leadingHop(args: string[], c: Cutover): Promise<Hop> {
  return hopById(c.plan, args[0] ?? '') ? hopArgument(args.shift(), c) : hopArgument(undefined, c);
}
