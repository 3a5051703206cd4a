import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComputeApiError, failureTypeForStatus } from '../../src/api/errors';
import { canonicalStatus, parseJobProgress, problemFromBody } from '../../src/api/responses';

test('a status body becomes a JobProgress: spellings mapped, progress clamped and rounded', () => {
  assert.deepEqual(parseJobProgress('{"status":"in progress","progress":41.6,"message":"Step 2"}', 202), {
    status: 'in progress',
    progress: 42,
    message: 'Step 2',
  });
  assert.deepEqual(parseJobProgress('{"status":"canceled","progress":140}', 200), {
    status: 'cancelled',
    progress: 100,
  });
  assert.deepEqual(parseJobProgress('{"status":"requested","progress":null,"message":null}', 202), {
    status: 'requested',
  });
  const failed = parseJobProgress('{"status":"failed","error":{"type":"t","title":"Bad sill"}}', 200);
  assert.equal(failed.error?.title, 'Bad sill');
  assert.equal(canonicalStatus('canceling'), 'cancelling');
  assert.equal(canonicalStatus('paused'), undefined);
});

test('a body that does not match the schema is UnknownResponse with an excerpt', () => {
  for (const body of [
    '<html>Maintenance</html>',
    '{"status": "in progr',
    '[]',
    '{"status":"paused"}',
    '{"status":"in progress","progress":"42"}',
    '{"status":"in progress","message":7}',
    '{"status":"failed","error":"boom"}',
    'x'.repeat(2000),
  ]) {
    assert.throws(
      () => parseJobProgress(body, 200),
      (err: Error) => {
        assert.ok(err instanceof ComputeApiError, body);
        assert.equal(err.type, 'UnknownResponse');
        assert.ok((err.body?.length ?? 0) <= 501, 'the excerpt is cut short');
        return true;
      },
    );
  }
});

test('error bodies: a problem object when there is one', () => {
  assert.equal(problemFromBody('{"type":"t","title":"Too many","status":429}')?.title, 'Too many');
  assert.equal(problemFromBody('{"title":"no type"}'), undefined);
  assert.equal(problemFromBody('<html/>'), undefined);
});

test('HTTP statuses map onto the failure table', () => {
  assert.deepEqual([400, 401, 403, 404, 410, 418, 429, 500, 503].map(failureTypeForStatus), [
    'BadRequest',
    'Unauthorized',
    'Forbidden',
    'NotFound',
    'Gone',
    'ApiError',
    'RateLimited',
    'ServerError',
    'ServerError',
  ]);
});
