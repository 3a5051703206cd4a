/** How to run this CLI again, as the person at the keyboard started it: for commands we print. */
import { basename, relative } from 'node:path';

/** A word for a POSIX shell: as it is when it is safe, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that starts this CLI: `npx evo-compute` under npx (from a clone or a project that
 * has the package), `evo-compute` when it was found on `PATH` by that name, else `node <script>`.
 */
export function cliCommand(
  env: NodeJS.ProcessEnv = process.env,
  script: string = process.argv[1] ?? '',
  cwd: string = process.cwd(),
): string {
  if (env.npm_command === 'exec') return 'npx evo-compute';
  if (basename(script) === 'evo-compute') return 'evo-compute';
  const path = relative(cwd, script);
  return `node ${shellWord(path.startsWith('..') || path === '' ? script : path)}`;
}
