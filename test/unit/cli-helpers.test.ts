import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliCommand, shellWord } from '../../src/cli/invocation';
import { readParams } from '../../src/cli/options';

test('printed commands run as printed: npx under npx, the bin by name, else node and the script', () => {
  assert.equal(
    cliCommand({ npm_command: 'exec' }, '/x/node_modules/.bin/evo-compute', '/x'),
    'npx evo-compute',
  );
  assert.equal(cliCommand({}, '/usr/local/bin/evo-compute', '/home/me'), 'evo-compute');
  assert.equal(cliCommand({}, '/repo/dist/cli/index.js', '/repo'), 'node dist/cli/index.js');
  assert.equal(
    cliCommand({}, '/my repo/dist/cli/index.js', '/elsewhere'),
    "node '/my repo/dist/cli/index.js'",
  );
  assert.equal(shellWord('EVO_ORG_ID=0b5c'), 'EVO_ORG_ID=0b5c');
  assert.equal(shellWord("it's"), `'it'\\''s'`);
});

test('params that are not JSON are one line of error, whatever the parser quotes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'params-'));
  for (const text of ['{\n  "blocks": 8,\n}', '{"a": 1}\n\nnot json', '']) {
    const file = join(dir, 'params.json');
    await writeFile(file, text);
    await assert.rejects(readParams(file), (err: Error) => {
      assert.match(err.message, /are not JSON/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  }
});
