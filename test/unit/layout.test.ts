/**
 * The rooms of `src/` and what each may import at run time (type-only imports are erased, so they
 * are free): workflow-safe code stays free of Node and of the worker, the HTTP client knows nothing
 * of Temporal, and no module imports itself in a circle.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(__dirname, '..', '..', '..', 'src');

interface Room {
  /** Other rooms it may import from. */
  rooms: readonly string[];
  /** The packages it may import (Node built-ins are `node:*`). */
  packages: RegExp;
}

const WORKFLOW_SAFE = /^@temporalio\/(common|workflow)$/;
const ANY = /./;

/** `index` is the package's main entry (src/index.ts): workflow-safe, like `common`. */
const ROOMS: Readonly<Record<string, Room>> = {
  common: { rooms: [], packages: WORKFLOW_SAFE },
  index: { rooms: ['common'], packages: WORKFLOW_SAFE },
  nexus: { rooms: ['common'], packages: /^(nexus-rpc|@temporalio\/(common|workflow))$/ },
  workflows: { rooms: ['common', 'nexus'], packages: /^(nexus-rpc|@temporalio\/(common|workflow))$/ },
  api: { rooms: ['common', 'auth'], packages: /^(undici|node:.+)$/ },
  auth: { rooms: ['common'], packages: /^(?!@temporalio\/)/ },
  tasks: { rooms: ['common'], packages: /^node:/ },
  emulator: { rooms: ['common', 'tasks'], packages: /^node:/ },
  activities: {
    rooms: ['common', 'api', 'auth', 'tasks'],
    packages: /^(@temporalio\/(activity|common)|node:.+)$/,
  },
  client: { rooms: ['common', 'tasks'], packages: /^(@temporalio\/(client|common)|node:.+)$/ },
  plugin: {
    rooms: ['common', 'api', 'auth', 'activities', 'tasks', 'client', 'nexus'],
    packages: /^(@temporalio\/(plugin|worker|common|nexus)|nexus-rpc|node:.+)$/,
  },
  worker: {
    rooms: ['common', 'api', 'auth', 'activities', 'plugin', 'tasks', 'index', 'nexus'],
    packages: ANY,
  },
  dev: {
    rooms: [
      'common',
      'api',
      'auth',
      'activities',
      'client',
      'plugin',
      'tasks',
      'emulator',
      'worker',
      'index',
      'nexus',
    ],
    packages: ANY,
  },
  cli: {
    rooms: ['common', 'api', 'auth', 'client', 'tasks', 'emulator', 'worker', 'dev', 'index', 'nexus'],
    packages: ANY,
  },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function roomOf(file: string): string {
  const [first, second] = relative(SRC, file).split(/[\\/]/);
  return second === undefined ? (first?.replace(/\.ts$/, '') ?? '') : (first ?? '');
}

/** A relative specifier as the file it names (`./x` → x.ts or x/index.ts). */
function resolveModule(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return base;
}

/** The run-time imports of a file: `import`/`export … from` that are not `type`-only, and `require(…)`. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const statements = /^(?:import|export)\s+(type\s+)?(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  const specifiers = [...text.matchAll(statements)].filter((m) => !m[1]).map((m) => m[2] ?? '');
  const requires = [...text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? '');
  return [...specifiers, ...requires];
}

const FILES = sourceFiles(SRC);
const GRAPH = new Map(
  FILES.map((file) => [
    file,
    runtimeImports(file).map((specifier) =>
      specifier.startsWith('.') ? resolveModule(file, specifier) : specifier,
    ),
  ]),
);

test('each room imports only what it may', () => {
  const violations: string[] = [];
  for (const [file, imports] of GRAPH) {
    const room = roomOf(file);
    const rule = ROOMS[room];
    if (!rule) {
      violations.push(`${relative(SRC, file)}: the room ${room} has no rule in this test`);
      continue;
    }
    for (const target of imports) {
      if (target.startsWith('/')) {
        const targetRoom = roomOf(target);
        if (targetRoom !== room && !rule.rooms.includes(targetRoom)) {
          violations.push(
            `${relative(SRC, file)} imports ${relative(SRC, target)} (${room} → ${targetRoom})`,
          );
        }
      } else {
        const name = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : target.split('/')[0];
        if (!rule.packages.test(name ?? '')) violations.push(`${relative(SRC, file)} imports ${target}`);
        if (/^@temporalio\/[^/]+\/lib\//.test(target))
          violations.push(`${relative(SRC, file)} imports SDK internals: ${target}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('nothing imports the programs, which run as soon as they are loaded', () => {
  // `../worker` now names the program src/worker.ts, not the folder: the folder is `../worker/index`.
  const programs = [join(SRC, 'worker.ts')];
  const importers = [...GRAPH]
    .filter(([, imports]) => imports.some((target) => programs.includes(target)))
    .map(([file]) => relative(SRC, file));
  assert.deepEqual(importers, []);
});

test('no module imports itself in a circle', () => {
  const circles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const target of GRAPH.get(file) ?? []) if (GRAPH.has(target)) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of GRAPH.keys()) visit(file, []);
  assert.deepEqual(circles, []);
});

test('the checks see the imports they judge', () => {
  // Guards the test itself: a parser that found nothing would pass every rule.
  const workflow = join(SRC, 'workflows', 'run-compute-job.ts');
  assert.ok(GRAPH.get(workflow)?.includes('@temporalio/workflow'));
  assert.ok(GRAPH.get(workflow)?.includes(join(SRC, 'common', 'validate-input.ts')));
  assert.ok(
    !GRAPH.get(join(SRC, 'workflows', 'compute-activities.ts'))?.some((t) => t.includes('/activities/')),
    'type-only imports are free',
  );
  assert.ok(
    GRAPH.get(join(SRC, 'worker.ts'))?.includes(join(SRC, 'worker', 'index.ts')),
    'an explicit ./worker/index is the folder, not the program',
  );
});
