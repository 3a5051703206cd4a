/**
 * A data converter named by a module, for the programs (`evo-compute-worker`, `evo-compute`) that
 * take their settings from the environment or the command line: `EVO_COMPUTE_DATA_CONVERTER` or
 * `--data-converter` names a module (a path, relative to the working directory, or a package), as
 * Temporal's own `dataConverter.payloadConverterPath` names one. The module exports either
 * `dataConverter`, a Temporal `DataConverter` (`payloadCodecs`, and `payloadConverterPath` /
 * `failureConverterPath` as absolute paths), or `payloadCodecs` alone. Programs of your own pass a
 * `DataConverter` directly (`createComputeWorker({ worker: { dataConverter } })`, `new Client(…)`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';

/** The module cannot be found or loaded, or exports no data converter; the message completes "<setting> …". */
export class DataConverterModuleError extends Error {
  override name = 'DataConverterModuleError';
}

function isCodec(value: unknown): value is PayloadCodec {
  const codec = value as Partial<PayloadCodec> | null;
  return typeof codec?.encode === 'function' && typeof codec.decode === 'function';
}

function checkCodecs(codecs: unknown, what: string): PayloadCodec[] {
  if (!Array.isArray(codecs) || !codecs.every(isCodec)) {
    throw new DataConverterModuleError(`names a module whose ${what} is not an array of PayloadCodecs`);
  }
  return codecs;
}

/** Loads the module `specifier` names, resolved from `cwd` (default: the working directory). */
export function loadDataConverterModule(specifier: string, cwd: string = process.cwd()): DataConverter {
  let path: string;
  try {
    // A file of the working directory (`codec.js` as much as `./codec.js`), else a package.
    const file = resolve(cwd, specifier);
    path = existsSync(file) ? require.resolve(file) : require.resolve(specifier, { paths: [cwd] });
  } catch {
    throw new DataConverterModuleError(`names a module that cannot be found: ${JSON.stringify(specifier)}`);
  }
  let exported: { dataConverter?: unknown; payloadCodecs?: unknown };
  try {
    exported = require(path);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DataConverterModuleError(`names a module that fails to load (${path}): ${reason}`);
  }
  if (exported.dataConverter !== undefined) {
    const converter = exported.dataConverter as DataConverter | null;
    if (typeof converter !== 'object' || converter === null) {
      throw new DataConverterModuleError(
        `names a module whose dataConverter export is not an object (${path})`,
      );
    }
    if (converter.payloadCodecs !== undefined)
      checkCodecs(converter.payloadCodecs, `dataConverter.payloadCodecs (${path})`);
    return converter;
  }
  if (exported.payloadCodecs !== undefined) {
    return { payloadCodecs: checkCodecs(exported.payloadCodecs, `payloadCodecs export (${path})`) };
  }
  throw new DataConverterModuleError(`names ${path}, which exports neither dataConverter nor payloadCodecs`);
}
