/** Pieces of the Markdown report shared by its sections. */
import { fmt } from './stats';

/** Milliseconds as seconds, `digits` decimals. */
export const seconds = (ms: number, digits = 1): string => fmt(ms / 1000, digits);

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
