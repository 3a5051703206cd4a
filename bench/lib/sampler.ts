/**
 * Samples, once a second, the emulator's request count and the CPU and memory of the measured
 * process, the Temporal server and the machine, so rates and CPU can be cut into phases later.
 */
import type { ComputeEmulator } from '../../src/emulator';
import type { Cleanup } from './context';
import { childProcesses, cpuSeconds, machineCpu, rssMiB } from './proc';

export interface Sample {
  /** Epoch ms. */
  at: number;
  gets: number;
  /** CPU seconds of the measured process. */
  cpu: number;
  rssMiB: number;
  /** CPU seconds of the Temporal server process (0 when none). */
  serverCpu: number;
  /** CPU seconds of the bench process itself (emulator, client). */
  benchCpu: number;
  /** Busy CPU seconds of the whole machine. */
  machineBusy: number;
}

export class Sampler {
  readonly samples: Sample[] = [];
  private timer?: NodeJS.Timeout;
  private stopped?: Sample;

  constructor(
    private readonly emulator: ComputeEmulator,
    private readonly pid: number,
    private readonly serverPid: number | undefined,
  ) {}

  sample(): Sample {
    const usage = process.cpuUsage();
    const sample: Sample = {
      at: Date.now(),
      gets: this.emulator.counts.GET,
      cpu: cpuSeconds(this.pid) ?? this.samples.at(-1)?.cpu ?? 0,
      rssMiB: rssMiB(this.pid) ?? 0,
      serverCpu: this.serverPid === undefined ? 0 : (cpuSeconds(this.serverPid) ?? 0),
      benchCpu: (usage.user + usage.system) / 1e6,
      machineBusy: machineCpu().busy,
    };
    this.samples.push(sample);
    return sample;
  }

  start(intervalMs = 1000): Sample {
    const first = this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    return first;
  }

  /** Stops sampling with one last sample; later calls return that sample. */
  stop(): Sample {
    if (this.stopped) return this.stopped;
    clearInterval(this.timer);
    this.stopped = this.sample();
    return this.stopped;
  }

  /** The sample nearest to `at`. */
  at(at: number): Sample {
    let best = this.samples[0];
    if (!best) throw new Error('no samples');
    for (const sample of this.samples) {
      if (Math.abs(sample.at - at) < Math.abs(best.at - at)) best = sample;
    }
    return best;
  }

  /** Highest request rate over any `windowMs` between samples. */
  peakRate(windowMs: number): number {
    let peak = 0;
    let start = 0;
    for (let end = 1; end < this.samples.length; end++) {
      const last = this.samples[end] as Sample;
      while (start < end - 1 && last.at - (this.samples[start + 1] as Sample).at >= windowMs) start++;
      const first = this.samples[start] as Sample;
      const span = last.at - first.at;
      if (span >= windowMs * 0.9) peak = Math.max(peak, ((last.gets - first.gets) * 1000) / span);
    }
    return peak;
  }

  peakRss(): number {
    return Math.max(0, ...this.samples.map((sample) => sample.rssMiB));
  }
}

/** Differences between two samples. */
export function between(a: Sample, b: Sample) {
  const seconds = (b.at - a.at) / 1000;
  return {
    seconds,
    gets: b.gets - a.gets,
    cpu: b.cpu - a.cpu,
    serverCpu: b.serverCpu - a.serverCpu,
    benchCpu: b.benchCpu - a.benchCpu,
    machineBusy: b.machineBusy - a.machineBusy,
  };
}

/**
 * A sampler of a worker (or other poller) process beside the emulator and the dev server (the
 * bench's `temporal` child), stopped by `cleanup` at the latest.
 */
export function workerSampler(
  emulator: ComputeEmulator,
  workerPid: number,
  cleanup: Cleanup,
  label: string,
): Sampler {
  const server = childProcesses(process.pid).find((child) => child.comm === 'temporal');
  const sampler = new Sampler(emulator, workerPid, server?.pid);
  cleanup.add(`stop the ${label} sampler`, () => sampler.stop());
  return sampler;
}
