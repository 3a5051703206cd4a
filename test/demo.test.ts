/** `npm run demo` keeps working: the README's main job on the embedded defaults. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

test('the demo runs a kriging job to its results the Temporal UI link and the Nexus endpoint', async () => {
  const { TEMPORAL_ADDRESS: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [require.resolve('../scripts/demo')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, out);
  assert.match(out, /\[in progress\] \d+% > Kriging step \d of 4/);
  assert.match(out, /"message": "Kriging complete"/);
  assert.match(
    out,
    /Temporal UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/evo-compute-demo-/,
  );
  assert.match(out, /Nexus endpoint evo-compute → default\/evo-compute: callers in any namespace/);
  assert.match(out, /Shutting down/);
});
