import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProgressRenderer, progressBar, progressText } from '../../src/cli/progress';
import { formatProblem, formatProgressLine } from '../../src/common/progress-line';

test('the progress line, as the Python client prints it', () => {
  assert.equal(
    formatProgressLine({ status: 'in progress', progress: 42, message: 'Kriging block 3 of 8' }),
    '[in progress] 42% > Kriging block 3 of 8',
  );
  assert.equal(formatProgressLine({ status: 'requested' }), '[requested] >');
  assert.equal(
    formatProgressLine({ status: 'failed', error: { type: 't', title: 'Bad sill' } }),
    '[failed] > Bad sill',
  );
  assert.equal(progressText({ phase: 'submitting', polls: 0 }), '[submitting]');
  assert.equal(
    formatProblem({ status: 400, type: 't', title: 'Bad', detail: 'd' }),
    'Error: (400)\nType: t\nTitle: Bad\nDetail: d',
  );
});

test('the bar: its fill is the percentage', () => {
  assert.equal(progressBar(0, 10), '░░░░░░░░░░');
  assert.equal(progressBar(55, 10), '██████░░░░');
  assert.equal(progressBar(250, 10), '██████████');
});

const view = (progress: number, message: string) => ({
  phase: 'running' as const,
  polls: 1,
  status: { status: 'in progress' as const, progress, message },
});

describe('progress rendering', () => {
  test('a terminal gets one bar redrawn in place; other output gets one JSON line per change', () => {
    let bar = '';
    const renderer = createProgressRenderer('bar', { write: (chunk: string) => (bar += chunk), columns: 60 });
    renderer.update(view(40, 'Step 2 of 4'));
    renderer.update(view(40, 'Step 2 of 4'));
    renderer.suspend();
    renderer.resume();
    renderer.update(view(100, 'Step 4 of 4'));
    renderer.finish();
    renderer.resume();
    assert.equal(
      bar,
      '\r████████░░░░░░░░░░░░ [in progress] 40% > Step 2 of 4\x1b[K' +
        '\r\x1b[K' +
        '\r████████░░░░░░░░░░░░ [in progress] 40% > Step 2 of 4\x1b[K' +
        '\r████████████████████ [in progress] 100% > Step 4 of 4\x1b[K\n',
    );

    let json = '';
    const lines = createProgressRenderer('json', { write: (chunk: string) => (json += chunk) });
    lines.update({ phase: 'submitting', polls: 0 });
    lines.update(view(40, 'Step 2 of 4'));
    lines.update({ ...view(40, 'Step 2 of 4'), polls: 2 });
    assert.equal(json, '{"status":"in progress","progress":40,"message":"Step 2 of 4"}\n');
  });
});

test("a failed job's bar stays where the job got to, though the service reports 100 %", () => {
  let bar = '';
  const renderer = createProgressRenderer('bar', { write: (chunk: string) => (bar += chunk), columns: 80 });
  renderer.update(view(45, 'Step 2 of 4'));
  renderer.update({
    phase: 'done',
    polls: 3,
    status: { status: 'failed', progress: 100, message: 'Bad sill' },
  });
  renderer.finish();
  const last = bar.split('\r').at(-1) ?? '';
  assert.match(last, /^█████████░{11} \[failed\] 100% > Bad sill/);
});
