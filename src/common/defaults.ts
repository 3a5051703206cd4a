/** Where a worker polls unless told otherwise; clients use the same defaults to start jobs. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_TASK_QUEUE = 'evo-compute';
