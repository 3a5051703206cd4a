/**
 * `evo-compute-temporal/plugin`: the package as a Temporal worker plugin. Add it to your own worker
 * and that worker runs `runComputeJob` and `runComputeJobs` (re-export them from your workflows
 * file) next to your own workflows and activities:
 *
 * ```ts
 * const worker = await Worker.create({
 *   connection, taskQueue: 'my-app', workflowsPath: require.resolve('./workflows'),
 *   activities: myActivities,
 *   plugins: [evoComputePlugin({ baseUrl, accessToken })],
 * });
 * ```
 *
 * It adds the compute activities (merged with yours) and the worker settings they need, unless you
 * set those yourself. It leaves the workflows to you, so your one workflows file (or bundle) holds
 * both yours and the package's.
 */
import { SimplePlugin } from '@temporalio/plugin';
import type { WorkerOptions } from '@temporalio/worker';
import { createComputeActivities } from '../activities';
import { ComputeApiClient, type ComputeApiClientOptions } from '../api/compute-api-client';
import { evoComputeNexusHandler } from './nexus-handler';

/**
 * `baseUrl`, `accessToken` and the HTTP client's other options (timeouts, pool size, your own
 * undici `dispatcher`), and whether the worker serves the `evo-compute` Nexus service.
 */
export interface EvoComputePluginOptions extends ComputeApiClientOptions {
  /**
   * Serve the `evo-compute` Nexus service (`evo-compute-temporal/nexus`) on the worker's task queue,
   * so that callers in other namespaces reach it through a Nexus endpoint. Default true; a worker
   * with no endpoint pointing at its queue simply never receives a Nexus task.
   */
  nexus?: boolean;
}

/**
 * Concurrent activities a worker allows when the plugin sets them: in `sparse` (the default) and
 * `heartbeat` poll modes the polling activity holds a slot for as long as its job runs, so a worker
 * holds one slot per job it watches, and more for the submits, results and cancels beside them.
 * Those slots are idle I/O (a timer and a pending request each; no measurable memory per slot in
 * `npm run bench`), so a worker can hold many. `retry` and `timer` modes hold none between polls.
 */
export const COMPUTE_ACTIVITY_SLOTS = 10_000;

/**
 * On shutdown, running activities get this long to finish; then they are cancelled and Temporal
 * retries them on another worker (a poll resumes from its last heartbeat; a submit is guarded).
 */
export const COMPUTE_SHUTDOWN_GRACE_TIME = '10 seconds';

/**
 * How long a workflow task waits on its workflow's sticky queue (the worker that ran its last
 * task) before it goes to the task queue, to any worker: the SDK's default is 10 s. When that
 * worker has died, every job it last ran waits this long at its next hand-over (a poll that
 * records a reading, the results, a timer-mode poll); 3 s keeps a dead worker's jobs moving within
 * seconds. A live worker picks its sticky tasks up in milliseconds; one that is so busy it does not
 * within 3 s hands the task to another worker, which replays the history first.
 */
export const COMPUTE_STICKY_QUEUE_TIMEOUT = '3 seconds';

/** The plugin's name, as Temporal reports it. */
export const EVO_COMPUTE_PLUGIN_NAME = 'evo-compute-temporal';

/**
 * The worker plugin. One HTTP client (one keep-alive connection pool) serves every worker the
 * plugin is added to. Each worker holds it from its creation until it stops running, and the last
 * one to stop closes it; a worker created after that opens a new one. So a worker created early and
 * run only after the others have stopped still has an open client.
 */
export class EvoComputePlugin extends SimplePlugin {
  private client: ComputeApiClient | undefined;
  private activities: ReturnType<typeof createComputeActivities> | undefined;
  /** Workers created with the client that have not stopped running yet. */
  private holders = 0;

  private readonly computeOptions: ComputeApiClientOptions;

  constructor({ nexus = true, ...computeOptions }: EvoComputePluginOptions) {
    super({
      name: EVO_COMPUTE_PLUGIN_NAME,
      // Resolved when each worker is configured, so a worker created after the others stopped gets
      // an open client. Appended to the worker's own activities.
      activities: (existing) => ({ ...existing, ...this.computeActivities() }),
      ...(nexus && { nexusServices: (existing) => [...(existing ?? []), evoComputeNexusHandler()] }),
      runContext: (next) => this.whileRunning(next),
    });
    this.computeOptions = computeOptions;
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    // The worker took the client (through its activities) just now: it holds it until it stops.
    this.holders += 1;
    return {
      ...configured,
      // A tuner sets the slots itself, and the SDK refuses both at once.
      ...(configured.tuner === undefined && configured.maxConcurrentActivityTaskExecutions === undefined
        ? { maxConcurrentActivityTaskExecutions: COMPUTE_ACTIVITY_SLOTS }
        : {}),
      shutdownGraceTime: configured.shutdownGraceTime ?? COMPUTE_SHUTDOWN_GRACE_TIME,
      stickyQueueScheduleToStartTimeout:
        configured.stickyQueueScheduleToStartTimeout ?? COMPUTE_STICKY_QUEUE_TIMEOUT,
    };
  }

  private computeActivities(): ReturnType<typeof createComputeActivities> {
    if (!this.client || !this.activities) {
      this.client = new ComputeApiClient(this.computeOptions);
      this.activities = createComputeActivities({ client: this.client });
    }
    return this.activities;
  }

  private async whileRunning(next: () => Promise<void>): Promise<void> {
    try {
      await next();
    } finally {
      this.holders -= 1;
      const client = this.client;
      if (this.holders === 0 && client) {
        this.client = undefined;
        this.activities = undefined;
        await client.close();
      }
    }
  }
}

/** The plugin for `Worker.create({ plugins: [evoComputePlugin({ baseUrl, accessToken })] })`. */
export function evoComputePlugin(options: EvoComputePluginOptions): EvoComputePlugin {
  return new EvoComputePlugin(options);
}

export { evoComputeNexusHandler } from './nexus-handler';
export { evoComputeWorkflows } from './workflow-bundle';
