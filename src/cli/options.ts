/** Reading and checking command-line values; every problem is a usage error (exit code 2). */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { durationMs } from '../common/duration';
import { oneLine, usageError } from './errors';

/** A duration such as `2s`, `500ms`, `5 minutes`, `1h`; must be more than zero. */
export function parseDuration(option: string, value: string): string {
  let ms: number;
  try {
    ms = durationMs(value, option);
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw usageError(
      `${option} must be a duration such as 2s, 5 minutes or 1h, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** For commander: a TCP port, 0..65535 (0: any free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError('must be a port number, 0 to 65535');
  return port;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.once('error', reject);
  });
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/** The task parameters: a JSON object, from a file or (`-`) standard input. */
export async function readParams(source: string): Promise<Record<string, unknown>> {
  const name = source === '-' ? 'standard input' : source;
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = (code && READ_ERRORS[code]) ?? (err instanceof Error ? err.message : String(err));
    throw usageError(`cannot read the params file ${name}: ${reason}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // The parser's message may quote the text, line breaks and all: one line, always.
    throw usageError(
      oneLine(`the params in ${name} are not JSON: ${err instanceof Error ? err.message : err}`),
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw usageError(`the params in ${name} must be a JSON object, got ${kind}`);
  }
  return value as Record<string, unknown>;
}

/** A topic or task name: one non-empty path segment. */
export function checkSegment(option: string, value: string): string {
  if (value.trim() === '' || value === '.' || value === '..' || value.includes('/')) {
    throw usageError(`${option} must be a non-empty name without '/', got ${JSON.stringify(value)}`);
  }
  return value;
}
