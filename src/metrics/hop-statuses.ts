import type { HopStatus } from '../state/migration-state';

/** Every hop status, for a one-hot gauge (a dashboard sees 0 for the states a hop is not in). */
export const HOP_STATUSES: readonly HopStatus[] = ['pending', 'streaming', 'cutting-over', 'done', 'rolling-back', 'rolled-back'];
