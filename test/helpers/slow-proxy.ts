/**
 * A reverse proxy in front of the emulator that holds each POST for a while before forwarding it
 * (a submit that is "in flight" long enough to cancel the workflow or kill its worker meanwhile),
 * and can answer the first POSTs with 503 (a submit the service refused, to be retried).
 */
import { request } from 'undici';
import { startTestServer, type TestServer } from './test-server';

export async function startSlowSubmitProxy(
  target: string,
  holdMs: number,
  options: { refuseFirst?: number } = {},
): Promise<TestServer & { postsArrived: number }> {
  const state = { postsArrived: 0 };
  const server = await startTestServer(async (req, res) => {
    if (req.method === 'POST') {
      state.postsArrived++;
      if (state.postsArrived <= (options.refuseFirst ?? 0)) {
        res.writeHead(503, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'https://errors.test/503', title: 'Busy', status: 503 }));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, holdMs));
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    const upstream = await request(`${target}${req.url}`, {
      method: req.method as 'GET',
      headers: headers as Record<string, string>,
      body: req.body === '' ? undefined : req.body,
    });
    const body = await upstream.body.text();
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (
        typeof value === 'string' &&
        name !== 'connection' &&
        name !== 'keep-alive' &&
        name !== 'transfer-encoding'
      ) {
        out[name] = name === 'location' ? value.replace(target, server.url) : value;
      }
    }
    res.writeHead(upstream.statusCode, out);
    res.end(body);
  });
  return Object.defineProperty(server, 'postsArrived', { get: () => state.postsArrived }) as TestServer & {
    postsArrived: number;
  };
}
