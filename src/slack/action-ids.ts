/** A pattern that matches exactly these action ids, for one Bolt listener that serves several buttons. */
export function anyOf(actionIds: readonly string[]): RegExp {
  return new RegExp(`^(?:${actionIds.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
}
