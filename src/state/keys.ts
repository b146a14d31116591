/** Every Redis key the bot uses, namespaced by the plan's name so plans never share state. */
export function keysFor(planName: string) {
  const p = `cutover:${planName}`;
  return {
    lock: `${p}:lock`,
    fence: `${p}:fence`,
    migration: `${p}:migration`,
    approval: (id: string) => `${p}:approval:${id}`,
    approvalsPending: `${p}:approvals:pending`,
    approvalClaim: (claim: string) => `${p}:approval-claim:${claim}`,
    audit: `${p}:audit`,
    samples: (hop: string) => `${p}:samples:${hop}`,
    dmsProgress: (hop: string) => `${p}:dms-progress:${hop}`,
    incidents: `${p}:incidents`,
    leader: `${p}:leader`,
    channelUpdate: `${p}:channel-update`,
    verifyRun: (hop: string) => `${p}:verify:${hop}`,
    cutoverRun: (hop: string) => `${p}:cutover:${hop}`,
    cutoverLease: (hop: string) => `${p}:cutover-lease:${hop}`,
    costlyCommand: (user: string, command: string) => `${p}:costly:${user}:${command}`,
    /** The last go/no-go report and DMS figures of a hop, kept for /metrics so every process serves the same. */
    gateReport: (hop: string) => `${p}:gate-report:${hop}`,
    dmsFigures: (hop: string) => `${p}:dms-figures:${hop}`,
    /** The latency benches of a hop (`/migrate bench`), newest first, kept for the report. */
    bench: (hop: string) => `${p}:bench:${hop}`,
    /** The app's error-rate readings (the error tracker's gate), kept for the report's chart. */
    errorRates: `${p}:error-rates`,
    /** A hash of the App Home view last published to each person (a hash field per user). */
    homePublished: `${p}:home-published`,
  };
}

export type Keys = ReturnType<typeof keysFor>;
