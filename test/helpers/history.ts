import type { WorkflowHandle } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** The event types of a workflow's history, as proto enum names without the prefix: `TIMER_FIRED`, `MARKER_RECORDED`. */
export async function eventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((event) =>
    String(temporal.api.enums.v1.EventType[event.eventType ?? 0]).replace(/^EVENT_TYPE_/, ''),
  );
}

/**
 * Splits a history at each `TIMER_STARTED` and returns the events of every complete poll cycle
 * (from one TIMER_STARTED up to, not including, the next): what one timer-mode poll costs.
 */
export function pollCycles(types: string[]): string[][] {
  const starts = types.flatMap((type, index) => (type === 'TIMER_STARTED' ? [index] : []));
  return starts.slice(0, -1).map((start, i) => types.slice(start, starts[i + 1]));
}

function isPayload(value: object): value is Payload {
  return 'data' in value && value.data instanceof Uint8Array && 'metadata' in value;
}

/**
 * `value` (a raw history, a raw `describe` answer) as JSON in which every byte string is UTF-8
 * text, so that a plain-text search sees what each payload holds (JSON would show bytes as
 * base64). With `codec`, every payload is decoded first: what the same search sees through the
 * codec, the proof that the strings it looks for are there at all.
 */
export async function rawText(value: unknown, codec?: PayloadCodec): Promise<string> {
  const plain = async (node: unknown): Promise<unknown> => {
    if (node instanceof Uint8Array) return Buffer.from(node).toString('utf8');
    if (Array.isArray(node)) return Promise.all(node.map(plain));
    if (typeof node !== 'object' || node === null) return node;
    const decoded = codec && isPayload(node) ? ((await codec.decode([node]))[0] as object) : node;
    const entries = await Promise.all(
      Object.entries(decoded).map(async ([key, field]) => [key, await plain(field)] as const),
    );
    return Object.fromEntries(entries);
  };
  return JSON.stringify(await plain(value));
}
