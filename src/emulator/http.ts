/**
 * Low-level HTTP helpers: reading a bounded request body and writing complete responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpProblemBody } from './problems';

/** Largest submit body accepted: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads the whole request body. Past `limit` bytes it keeps draining the request (so the client
 * can read the answer on an intact connection) but keeps nothing and resolves `'too-large'`.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      ended = true;
      resolve(size > limit ? 'too-large' : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!ended) reject(new Error('request closed before its body ended'));
    });
  });
}

/** Writes a complete response. `body` undefined means no body. */
export function writeResponse(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: string,
): void {
  const all: Record<string, string | number> = { ...headers };
  // RFC 9110: no Content-Length on 204.
  if (status !== 204) all['content-length'] = body === undefined ? 0 : Buffer.byteLength(body);
  res.writeHead(status, all);
  res.end(body);
}

export function jsonResponse(value: unknown): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

export function problemResponse(problem: HttpProblemBody): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(problem) };
}

/** Request headers with lower-case names and repeated values joined. */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
