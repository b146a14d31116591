/** Where the plan says an RDS/Aurora database lives (exactly one of cluster, instance). */
export interface RdsTarget {
  cluster?: string;
  instance?: string;
  region: string;
}

/** One DB instance of the target: the writer, an Aurora reader, or a read replica. */
export interface RdsMember {
  id: string;
  writer: boolean;
  /** DBInstanceStatus: "available" is the only healthy one. */
  status: string;
  /** Reader lag, in seconds (AuroraReplicaLag is reported in ms and converted); undefined when CloudWatch has no point. */
  lagSeconds?: number;
}

/** What RDS and CloudWatch say about the target's own health, at one moment. */
export interface RdsHealth {
  kind: 'cluster' | 'instance';
  id: string;
  /** The cluster's (or instance's) own status. */
  status: string;
  backupRetentionDays: number;
  latestRestorableAt?: number;
  deletionProtection: boolean;
  multiAz: boolean;
  members: RdsMember[];
  /** Why reader lag could not be read (CloudWatch refused or did not answer); the rest still stands. */
  lagError?: string;
  observedAt: number;
}

/** The one call the gate and the post-cutover step make. */
export interface RdsHealthPort {
  read(target: RdsTarget): Promise<RdsHealth>;
}

/** An AWS call that failed, in words a person can act on (access denied names the IAM action to grant). */
export class RdsReadError extends Error {
  /** The IAM action AWS refused, when it was a refusal (the preflight turns it into a policy). */
  readonly deniedAction?: string;

  constructor(message: string, deniedAction?: string) {
    super(message);
    this.deniedAction = deniedAction;
  }
}
