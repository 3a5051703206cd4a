/**
 * The official Python SDK as a peer: its own task runners (KrigingRunner, IDWRunner,
 * ConditionalTurningBandsRunner, from the `evo-compute` pinned in requirements-dev.txt) run
 * against the emulator and accept every response; the same parameters submitted through
 * `runComputeJob` with the typed catalogue produce the same request bodies (as JSON values).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { startComputeJob } from '../src/client';
import type { ComputeJobResult } from '../src/common/types';
import type { ComputeEmulator } from '../src/emulator';
import { tasks } from '../src/tasks';
import { ORG_ID } from './helpers/ids';
import { idw, kriging, OBJECTS, simulation } from './helpers/peer-parameters';
import { runPythonPeer } from './helpers/python';
import { useTestStack } from './helpers/stack';
import { uniqueId } from './helpers/temporal';

const TASK_QUEUE = 'python-peer';
const TOKEN = 'peer-token';
interface PeerOutput {
  kriging: {
    message: string;
    target_reference: string;
    attribute_name: string;
    schema: string;
    progress: [number, string | null][];
  };
  idw: { attribute_name: string; progress: [number, string | null][] };
  'conditional-turning-bands': {
    target_reference: string;
    text: string;
    progress: [number, string | null][];
  };
}

/** A JSON value with its object keys sorted: equal for equal JSON whatever the key order or number spelling. */
function normalized(text: string): string {
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, sort((value as Record<string, unknown>)[key])]),
          )
        : value;
  return JSON.stringify(sort(JSON.parse(text)));
}

function postedBodies(emulator: ComputeEmulator, from: number): Map<string, string> {
  const bodies = new Map<string, string>();
  for (const request of emulator.requests.slice(from)) {
    if (request.method !== 'POST' || request.status !== 303 || request.body === undefined) continue;
    bodies.set(request.path.split('/').pop() ?? '', normalized(request.body));
  }
  return bodies;
}

describe('the Python SDK as a peer', { timeout: 120_000 }, () => {
  const stack = useTestStack({ taskQueue: TASK_QUEUE, token: TOKEN, emulator: { taskDurationMs: 400 } });
  let peer: PeerOutput;
  let pythonBodies: Map<string, string>;

  before(async () => {
    // The Python client reaches the emulator as `localhost`: the absolute Location must name that host.
    const port = new URL(stack.emulator.url).port;
    const from = stack.emulator.requests.length;
    peer = await runPythonPeer<PeerOutput>('sdk_runners.py', {
      baseUrl: `http://localhost:${port}`,
      orgId: ORG_ID,
      token: TOKEN,
      objects: OBJECTS,
    });
    pythonBodies = postedBodies(stack.emulator, from);
  });

  test("KrigingRunner, IDWRunner and ConditionalTurningBandsRunner accept the emulator's responses", () => {
    assert.equal(peer.kriging.message, 'Kriging complete');
    assert.equal(peer.kriging.target_reference, OBJECTS.grid);
    assert.equal(peer.kriging.attribute_name, 'kriged_grade');
    assert.match(peer.kriging.schema, /regular-masked-3d-grid/);
    assert.equal(peer.idw.attribute_name, 'idw_grade');
    assert.equal(peer['conditional-turning-bands'].target_reference, OBJECTS.grid);
    assert.match(peer['conditional-turning-bands'].text, /Conditional Turning-Band Simulation Result/);
    for (const output of [peer.kriging, peer.idw, peer['conditional-turning-bands']]) {
      assert.ok(
        output.progress.some(
          ([fraction, message]) => fraction > 0 && fraction < 1 && /step \d of 4/.test(message ?? ''),
        ),
        `progress reported while running: ${JSON.stringify(output.progress)}`,
      );
      assert.deepEqual(output.progress.at(-1), [1, 'Fetching results...']);
    }
    assert.deepEqual([...pythonBodies.keys()].sort(), ['conditional-turning-bands', 'idw', 'kriging']);
  });

  test('the kriging requests sent API-Preview: opt-in, the others did not', () => {
    for (const request of stack.emulator.requests.filter((r) => r.path.includes('/geostatistics/'))) {
      const preview = request.headers['api-preview'] === 'opt-in';
      assert.equal(
        preview,
        request.path.includes('/geostatistics/kriging'),
        `${request.method} ${request.path}`,
      );
    }
  });

  test('runComputeJob with the typed catalogue sends the same request bodies as the Python SDK', async () => {
    const from = stack.emulator.requests.length;
    const inputs = [
      tasks.geostatistics.kriging({ orgId: ORG_ID, parameters: kriging, pollInterval: 100 }),
      tasks.geostatistics.idw({ orgId: ORG_ID, parameters: idw, pollInterval: 100 }),
      tasks.geostatistics.conditionalTurningBands({
        orgId: ORG_ID,
        parameters: simulation,
        pollInterval: 100,
      }),
    ];
    const results: ComputeJobResult<object>[] = [];
    for (const input of inputs) {
      const handle = await startComputeJob(stack.env.client, input, {
        taskQueue: TASK_QUEUE,
        workflowId: uniqueId(`peer-${input.task}`),
      });
      results.push(await handle.result());
    }
    const ours = postedBodies(stack.emulator, from);
    assert.deepEqual([...ours.keys()].sort(), [...pythonBodies.keys()].sort());
    for (const [task, body] of ours) assert.equal(body, pythonBodies.get(task), `${task} request body`);
    assert.deepEqual(
      results.map((result) => result.job.preview),
      [true, false, false],
    );
  });
});
