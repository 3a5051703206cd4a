/**
 * Python peers of the tests (test/peer/*.py): a script run with `python3`, its setup as JSON on
 * stdin, its report as JSON on stdout.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const PEERS = join(__dirname, '..', '..', '..', 'test', 'peer');

/**
 * Runs test/peer/`script` with `input`; resolves with its parsed stdout, rejects with its stderr.
 * `signal` ends the process (a test that gave up does not leave it running).
 */
export function runPythonPeer<T>(script: string, input: unknown, signal?: AbortSignal): Promise<T> {
  const child = spawn('python3', [join(PEERS, script)], { stdio: ['pipe', 'pipe', 'pipe'], signal });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(JSON.stringify(input));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as T);
      else
        reject(
          new Error(
            `the Python peer ${script} exited ${code} (pip install -r requirements-dev.txt):\n${stderr}`,
          ),
        );
    });
  });
}
