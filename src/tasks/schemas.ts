/**
 * The JSON Schemas of the catalogue, as exported from the pinned Python SDK: the package's
 * `schemas/tasks/<topic>/<task>.json` files, read on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findCatalogueTask } from '../common/tasks/catalogue';

export interface TaskSchemas {
  topic: string;
  task: string;
  preview: boolean;
  /** The JSON Schema of the request's `parameters` (the SDK's wire form). */
  parameters: Record<string, unknown>;
  /** The JSON Schema of the job's results. */
  result: Record<string, unknown>;
}

const cache = new Map<string, TaskSchemas>();

/** The schemas of a catalogue task; undefined for a task outside the catalogue. */
export function taskSchemas(topic: string, task: string): TaskSchemas | undefined {
  if (!findCatalogueTask(topic, task)) return undefined;
  const key = `${topic}/${task}`;
  let schemas = cache.get(key);
  if (!schemas) {
    // The package resolves itself (its `exports` lists package.json), from dist/ or from a build.
    const root = dirname(createRequire(__filename).resolve('evo-compute-temporal/package.json'));
    schemas = JSON.parse(
      readFileSync(join(root, 'schemas', 'tasks', topic, `${task}.json`), 'utf8'),
    ) as TaskSchemas;
    cache.set(key, schemas);
  }
  return schemas;
}
