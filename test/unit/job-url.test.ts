import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  InvalidInputError,
  jobRefFromUrl,
  matchRoute,
  normalizeBaseUrl,
  parseStatusUrl,
  routePath,
  StatusUrlError,
  statusUrl,
  taskUrl,
} from '../../src/common/job-url';
import { JOB_ID, ORG_ID } from '../helpers/ids';

const BASE = normalizeBaseUrl('https://hub.test/api/');
const PATH = `compute/orgs/${ORG_ID}/geo%20stats/kriging/${JOB_ID}/status`;

test('routes are built below the base path, topic and task as one encoded segment each', () => {
  assert.equal(
    taskUrl(BASE, ORG_ID, 'geo stats', 'kri/ging'),
    `https://hub.test/api/compute/orgs/${ORG_ID}/geo%20stats/kri%2Fging`,
  );
  const job = { orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', jobId: JOB_ID };
  assert.equal(
    statusUrl(BASE, job),
    `https://hub.test/api/compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}/status`,
  );
  assert.throws(() => taskUrl(BASE, 'acme', 'a', 'b'), /orgId must be a UUID/);
  assert.throws(() => taskUrl(BASE, ORG_ID, '..', 'b'), /topic must not be "\.\."/);
});

test('a status URL is read absolute or relative, with or without the base path', () => {
  for (const location of [`https://hub.test/api/${PATH}`, `/api/${PATH}`, PATH, `/${PATH}`]) {
    const job = parseStatusUrl(location, BASE, false);
    assert.deepEqual(
      { ...job },
      {
        orgId: ORG_ID,
        topic: 'geo stats',
        task: 'kriging',
        jobId: JOB_ID,
        preview: false,
        url: `https://hub.test/api/${PATH}`,
      },
      location,
    );
  }
});

test('a status URL the service should not have sent is refused', () => {
  for (const location of [
    '',
    `https://evil.test/api/${PATH}`,
    `//evil.test/api/${PATH}`,
    `http://hub.test/api/${PATH}`,
    `https://hub.test:8443/api/${PATH}`,
    `https://user:pw@hub.test/api/${PATH}`,
    `https://hub.test/other/${PATH}`,
    `${PATH}?x=1`,
    `https://hub.test/api/${PATH}#frag`,
    `compute/orgs/${ORG_ID}/geostatistics/kriging/42/status`,
    `compute/orgs/${ORG_ID}/geostatistics/kriging/${JOB_ID}`,
    `compute/orgs/${ORG_ID}/%E0%A4%A/kriging/${JOB_ID}/status`,
    `compute\\orgs/${ORG_ID}/a/b/${JOB_ID}/status`,
    // A port followed by a host name: the URL parser itself throws on it.
    `https://hub.test:443evil.test/api/${PATH}`,
    'http://[::1/status',
  ]) {
    assert.throws(() => parseStatusUrl(location, BASE, false), StatusUrlError, location);
  }
});

test('jobRefFromUrl refuses with InvalidInputError', () => {
  assert.equal(
    jobRefFromUrl(`https://hub.test/api/${PATH}`, { baseUrl: 'https://hub.test/api' }).jobId,
    JOB_ID,
  );
  assert.throws(
    () => jobRefFromUrl(`https://evil.test/${PATH}`, { baseUrl: 'https://hub.test' }),
    InvalidInputError,
  );
  assert.throws(() => jobRefFromUrl(PATH, { baseUrl: 'not a url' }), InvalidInputError);
  assert.throws(() => normalizeBaseUrl('ftp://hub.test'), /http or https/);
});

test('one route table: what routePath builds, matchRoute reads back; anything else is no route', () => {
  for (const route of [
    { kind: 'task', orgId: ORG_ID, topic: 'geo stats', task: 'kri/ging' },
    { kind: 'job', orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', jobId: JOB_ID },
    { kind: 'status', orgId: ORG_ID, topic: 'geostatistics', task: 'kriging', jobId: JOB_ID },
  ] as const) {
    assert.deepEqual(matchRoute(routePath(route)), route);
  }
  for (const path of [
    '',
    'compute/orgs',
    `compute/orgs/${ORG_ID}/a`,
    `compute/orgs/${ORG_ID}/a//b`,
    `compute/orgs/${ORG_ID}/a/b/${JOB_ID}/status/x`,
    `/compute/orgs/${ORG_ID}/a/b`,
  ]) {
    assert.equal(matchRoute(path), undefined, path);
  }
  assert.throws(() => matchRoute(`compute/orgs/${ORG_ID}/%E0%A4%A/b`), StatusUrlError);
});
