/**
 * A reverse proxy in front of the emulator that lets a test change what the "service" answers: the
 * request reaches the emulator (so the job there is real and its state can be checked), then
 * `rewrite` may replace the answer (a corrupt status body, a malformed `Location`, huge results),
 * or hold it back for as long as its promise takes (a slow answer, one that never comes).
 */
import { request } from 'undici';
import { type SeenRequest, startTestServer, type TestServer } from './test-server';

export interface ProxiedReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Rewrite = (
  req: SeenRequest,
  reply: ProxiedReply,
) => ProxiedReply | undefined | Promise<ProxiedReply | undefined>;

export async function startFaultProxy(target: string, rewrite: Rewrite): Promise<TestServer> {
  const server: TestServer = await startTestServer(async (req, res) => {
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    const upstream = await request(`${target}${req.url}`, {
      method: req.method as 'GET',
      headers: headers as Record<string, string>,
      body: req.body === '' ? undefined : req.body,
    });
    const reply: ProxiedReply = {
      status: upstream.statusCode,
      headers: {},
      body: await upstream.body.text(),
    };
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (
        typeof value === 'string' &&
        !['connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name)
      ) {
        reply.headers[name] = name === 'location' ? value.replace(target, server.url) : value;
      }
    }
    const answer = (await rewrite(req, reply)) ?? reply;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  return server;
}

/** Whether a request is a job status poll (`GET …/status`). */
export function isStatusPoll(req: SeenRequest): boolean {
  return req.method === 'GET' && /\/status(\?|$)/.test(req.url);
}

/** Whether a request asks for a job's results (`GET …/{jobId}`). */
export function isResultsRequest(req: SeenRequest): boolean {
  return req.method === 'GET' && /\/[0-9a-f-]{36}$/i.test(req.url);
}
