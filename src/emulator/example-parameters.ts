/**
 * Parameters of the real kriging task shape (the Python SDK's `KrigingParameters` as it sends
 * them), naming made-up Geoscience Object URLs: for the demo, the worked example and tests.
 */
import type { KrigingParameters } from '../common/tasks/generated/geostatistics/kriging';

const WORKSPACE = '11111111-1111-4111-8111-111111111111';

/** A Geoscience Object URL on a made-up hub. */
export function exampleObjectUrl(orgId: string, objectId: string): string {
  return `https://hub.example.invalid/geoscience-object/orgs/${orgId}/workspaces/${WORKSPACE}/objects/${objectId}`;
}

/** Ordinary kriging of a point set's `grade` onto a new `kriged_grade` attribute of a grid. */
export function exampleKrigingParameters(orgId: string, attributeName = 'kriged_grade'): KrigingParameters {
  return {
    source: {
      object: exampleObjectUrl(orgId, '22222222-2222-4222-8222-222222222222'),
      attribute: 'locations.attributes[?name=="grade"]',
    },
    target: {
      object: exampleObjectUrl(orgId, '33333333-3333-4333-8333-333333333333'),
      attribute: { operation: 'create', name: attributeName },
    },
    variogram: exampleObjectUrl(orgId, '44444444-4444-4444-8444-444444444444'),
    neighborhood: {
      ellipsoid: {
        ellipsoid_ranges: { major: 200, semi_major: 150, minor: 100 },
        rotation: { dip_azimuth: 45, dip: 0, pitch: 0 },
      },
      max_samples: 20,
    },
    kriging_method: { type: 'ordinary' },
  };
}
