/**
 * Problem objects (RFC 9457) the emulator answers errors with, and the error that carries one
 * from a request handler to the HTTP layer.
 */
import type { Problem } from '../common/types';

/** Every `type` the emulator sends starts with this. */
export const PROBLEM_TYPE_BASE = 'https://evo-compute-emulator.invalid/errors/';

/** A problem whose `status` is always set. */
export type HttpProblemBody = Problem & { status: number };

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

export function makeProblem(
  status: number,
  slug: string,
  detail: string,
  extra: Record<string, unknown> = {},
): HttpProblemBody {
  return { type: `${PROBLEM_TYPE_BASE}${slug}`, title: TITLES[status] ?? 'Error', status, detail, ...extra };
}

/** Thrown by handlers; the server answers with the problem and the extra headers. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly problem: HttpProblemBody;
  readonly headers: Readonly<Record<string, string>>;

  constructor(problem: HttpProblemBody, headers: Record<string, string> = {}) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
    this.headers = headers;
  }
}

export function httpProblem(
  status: number,
  slug: string,
  detail: string,
  options: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): HttpProblem {
  return new HttpProblem(makeProblem(status, slug, detail, options.extra), options.headers);
}
