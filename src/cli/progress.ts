/**
 * Showing a compute job's progress on a terminal or in a log: a live bar redrawn in place, one JSON
 * line per change, or one human line per change. The CLI and the demo share it.
 */
import { formatProgressLine } from '../common/progress-line';
import type { ComputeJobProgressView } from '../common/types';

/** `bar`: a live line redrawn with `\r` (terminals); `json`: one JSON line per change; `lines`: one text line per change. */
export type ProgressStyle = 'bar' | 'json' | 'lines';

/** Where progress goes: a stream, and its width when it is a terminal. */
export interface ProgressOutput {
  write(chunk: string): unknown;
  columns?: number;
}

export interface ProgressRenderer {
  update(view: ComputeJobProgressView): void;
  /** Clears the live bar so that other output (a prompt, a message) starts on a clean line. */
  suspend(): void;
  /** Draws the live bar again after `suspend`, with the latest progress. */
  resume(): void;
  /** Ends the live bar's line for good; later output starts on a new one and nothing is drawn again. */
  finish(): void;
}

/** `[in progress] 42% > Kriging step 3 of 4`, or `[submitting]` before the job has a status. */
export function progressText(view: ComputeJobProgressView): string {
  return view.status ? formatProgressLine(view.status) : `[${view.phase}]`;
}

/** The JSON line of a progress view: `{"status":"in progress","progress":42,"message":"…"}`, or undefined before the job has a status. */
export function progressJson(view: ComputeJobProgressView): string | undefined {
  if (!view.status) return undefined;
  const { status, progress, message } = view.status;
  return JSON.stringify({ status, progress, message });
}

/** `████████░░░░░░░░░░░░` for a percentage. */
export function progressBar(percent: number | undefined, width = 20): string {
  const clamped = Math.max(0, Math.min(100, percent ?? 0));
  const filled = Math.round((clamped / 100) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/**
 * The live bar's line, cut to the terminal's width so that `\r` can redraw it in place. `reached`
 * is what the bar shows instead of the reading's percentage (see `createProgressRenderer`).
 */
export function barLine(view: ComputeJobProgressView, columns = 80, reached = view.status?.progress): string {
  const line = `${progressBar(reached)} ${progressText(view)}`;
  const max = Math.max(10, columns - 1);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function createProgressRenderer(
  style: ProgressStyle,
  out: ProgressOutput,
  options: { indent?: string } = {},
): ProgressRenderer {
  const indent = options.indent ?? '';
  let latest: ComputeJobProgressView | undefined;
  // The progress the job reached while it ran: a failed or cancelled job's bar stays there, even
  // when the service reports 100 % for the ended job.
  let reached: number | undefined;
  let lastWritten: string | undefined;
  let drawn = false;
  let suspended = false;
  let finished = false;

  const draw = () => {
    if (!latest || suspended) return;
    const line = `${indent}${barLine(latest, (out.columns || 80) - indent.length, reached)}`;
    if (drawn && line === lastWritten) return;
    out.write(`\r${line}\x1b[K`);
    lastWritten = line;
    drawn = true;
  };
  const clear = () => {
    if (drawn) out.write('\r\x1b[K');
    drawn = false;
    lastWritten = undefined;
  };

  if (style === 'bar') {
    return {
      update(view) {
        latest = view;
        const status = view.status?.status;
        if (status !== 'failed' && status !== 'cancelled' && status !== 'cancelling')
          reached = view.status?.progress;
        draw();
      },
      suspend() {
        clear();
        suspended = true;
      },
      resume() {
        if (finished) return;
        suspended = false;
        draw();
      },
      finish() {
        if (drawn) out.write('\n');
        drawn = false;
        lastWritten = undefined;
        suspended = true;
        finished = true;
      },
    };
  }
  const lineOf = style === 'json' ? progressJson : progressText;
  return {
    update(view) {
      const line = lineOf(view);
      if (line === undefined || line === lastWritten) return;
      lastWritten = line;
      out.write(`${indent}${line}\n`);
    },
    suspend() {},
    resume() {},
    finish() {},
  };
}
