/**
 * Child processes of the bench (the measured worker, the bare loop): started with an IPC channel,
 * their output kept in a log file, and stopped for sure: a polite message, then SIGTERM, then
 * SIGKILL.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** The last lines of its output, for error messages. */
  tail(lines?: number): string;
  /** Stops it (message `stop`, then SIGTERM after `graceMs`, then SIGKILL); safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export function startChild(
  name: string,
  script: string,
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[]; logDir: string },
): Child {
  const logFile = join(options.logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = fork(script, [], {
    env: options.env ?? process.env,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      log.end();
      resolve(code ?? signal ?? 'unknown');
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  let stopping: Promise<void> | undefined;
  return {
    name,
    process: child,
    pid: child.pid,
    logFile,
    exited,
    tail(lines = 20) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    stop(graceMs = 15_000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (child.connected) child.send('stop', () => undefined);
        const done = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
        if (done) return;
        child.kill('SIGTERM');
        if (await Promise.race([exited.then(() => true), delay(5_000).then(() => false)])) return;
        child.kill('SIGKILL');
        await exited;
      })();
      return stopping;
    },
  };
}

/** Waits for the child's first IPC message equal to `message`, failing if it exits first or after `timeoutMs`. */
export function waitForMessage(child: Child, message: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${child.name} sent no "${message}" within ${timeoutMs} ms:\n${child.tail()}`));
    }, timeoutMs);
    const onMessage = (received: unknown) => {
      if (received !== message) return;
      cleanup();
      resolve();
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${child.name} exited (${code ?? signal}) before "${message}":\n${child.tail()}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.process.off('message', onMessage);
      child.process.off('exit', onExit);
    };
    child.process.on('message', onMessage);
    child.process.once('exit', onExit);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
