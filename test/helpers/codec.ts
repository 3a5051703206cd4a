/**
 * An encryption codec as a mining company would run one: AES-256-GCM over every payload, with
 * `node:crypto`. Test-only (the package ships no codec); the key is fixed so that every process of
 * a test (the CLI, the worker program) encrypts alike. The module is also what `--data-converter`
 * and `EVO_COMPUTE_DATA_CONVERTER` name in the tests: it exports `payloadCodecs` and
 * `dataConverter`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'test-key-1';
const KEY = Buffer.from('evo-compute-temporal-test-key-32', 'utf8'); // 32 bytes: AES-256
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A `Payload` as protobuf encodes it: the whole payload (metadata and data) is encrypted. */
function serialise(payload: Payload): Buffer {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  );
  return Buffer.from(JSON.stringify({ metadata, data: Buffer.from(payload.data ?? []).toString('base64') }));
}

function deserialise(bytes: Buffer): Payload {
  const { metadata, data } = JSON.parse(bytes.toString('utf8')) as {
    metadata: Record<string, string>;
    data: string;
  };
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(data, 'base64'),
  };
}

export class EncryptionCodec implements PayloadCodec {
  /** How many payloads it has decoded: proof that a client or worker actually used it. */
  decoded = 0;

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', KEY, iv);
      const sealed = Buffer.concat([cipher.update(serialise(payload)), cipher.final()]);
      return {
        metadata: {
          encoding: Buffer.from(ENCRYPTED_ENCODING),
          'encryption-key-id': Buffer.from(KEY_ID),
        },
        data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding && Buffer.from(payload.metadata.encoding).toString();
      if (encoding !== ENCRYPTED_ENCODING) return payload;
      const data = Buffer.from(payload.data ?? []);
      const decipher = createDecipheriv('aes-256-gcm', KEY, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      this.decoded++;
      return deserialise(
        Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]),
      );
    });
  }
}

export const payloadCodecs = [new EncryptionCodec()];

/** The codec alone: failure messages and stacks stay plain, as Temporal's default failure converter keeps them. */
export const dataConverter: DataConverter = { payloadCodecs };

/**
 * The codec, and a failure converter with `encodeCommonAttributes`: failure messages and stack
 * traces go into an encoded payload too. The failure converter runs inside the workflow sandbox
 * as well, so it is a module of its own (bundled into the workflow code).
 */
export function encodingCommonAttributes(): DataConverter {
  return { payloadCodecs, failureConverterPath: require.resolve('./encoding-failure-converter') };
}
