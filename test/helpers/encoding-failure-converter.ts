/**
 * Temporal's failure converter with `encodeCommonAttributes`: a failure's message and stack trace
 * are moved into a payload, which the codec then encrypts. A `failureConverterPath` module: it is
 * bundled into the workflow code, so it imports nothing but `@temporalio/common`.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
