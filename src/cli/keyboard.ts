/**
 * Where to read a person's answer from. Standard input when it is a terminal; when it is not (the
 * parameters were piped in with `--params -`), the controlling terminal itself (`/dev/tty`), so
 * that Ctrl-C can still ask before cancelling a job.
 */
import { closeSync, openSync } from 'node:fs';
import { ReadStream } from 'node:tty';

export interface Keyboard {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Releases the terminal (a no-op for standard input). */
  release(): void;
}

/** Whether a keyboard can be reached: standard input is a terminal, or the process has one. */
export function hasKeyboard(): boolean {
  if (process.stdin.isTTY) return true;
  const keyboard = openControllingTerminal();
  keyboard?.release();
  return keyboard !== undefined;
}

/** The keyboard, or undefined when there is none (no terminal: a pipe, a service, CI). */
export function openKeyboard(): Keyboard | undefined {
  if (process.stdin.isTTY) return { input: process.stdin, release: () => undefined };
  return openControllingTerminal();
}

function openControllingTerminal(): Keyboard | undefined {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r');
  } catch {
    return undefined;
  }
  try {
    const input = new ReadStream(fd);
    return {
      input,
      release: () => {
        input.setRawMode(false);
        input.destroy();
      },
    };
  } catch {
    closeSync(fd);
    return undefined;
  }
}
