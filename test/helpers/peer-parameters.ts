/**
 * The parameters test/peer/sdk_runners.py builds with the Python SDK's own classes, written as the
 * TypeScript user would: for the tests that run the same jobs from the SDK and from Python callers.
 */
import { exampleObjectUrl } from '../../src/emulator';
import type { TaskParameters, tasks } from '../../src/tasks';
import { ORG_ID } from './ids';

export const OBJECTS = {
  points: exampleObjectUrl(ORG_ID, '22222222-2222-4222-8222-222222222222'),
  grid: exampleObjectUrl(ORG_ID, '33333333-3333-4333-8333-333333333333'),
  variogram: exampleObjectUrl(ORG_ID, '44444444-4444-4444-8444-444444444444'),
  distribution: exampleObjectUrl(ORG_ID, '55555555-5555-4555-8555-555555555555'),
};
const GRADE = 'locations.attributes[?name=="grade"]';

function neighborhood(maxSamples: number) {
  return {
    ellipsoid: {
      ellipsoid_ranges: { major: 200, semi_major: 150, minor: 100 },
      rotation: { dip_azimuth: 45, dip: 0, pitch: 0 },
    },
    max_samples: maxSamples,
  };
}

export const kriging: TaskParameters<typeof tasks.geostatistics.kriging> = {
  source: { object: OBJECTS.points, attribute: GRADE },
  target: {
    object: OBJECTS.grid,
    attribute: { operation: 'create', name: 'kriged_grade' },
    filter: {
      where: {
        type: 'condition',
        attribute: 'domain',
        operator: 'in',
        values: ['LMS1', 'LMS2'],
        threshold: null,
      },
    },
    diagnostics: {
      kriging_variance: { operation: 'create', name: 'KV' },
      num_samples: { operation: 'create', name: 'samples_used' },
    },
  },
  variogram: OBJECTS.variogram,
  neighborhood: neighborhood(20),
  kriging_method: { type: 'ordinary' },
};
export const idw: TaskParameters<typeof tasks.geostatistics.idw> = {
  source: {
    object: OBJECTS.points,
    attribute: GRADE,
    filter: {
      where: {
        type: 'condition',
        attribute: 'grade',
        operator: 'greater_than_or_equal_to',
        values: null,
        threshold: 0.5,
      },
    },
  },
  target: { object: OBJECTS.grid, attribute: { operation: 'create', name: 'idw_grade' } },
  neighborhood: neighborhood(12),
  power: 2,
};
export const simulation: TaskParameters<typeof tasks.geostatistics.conditionalTurningBands> = {
  source: OBJECTS.points,
  source_attribute: GRADE,
  target: OBJECTS.grid,
  neighborhood: neighborhood(40),
  distribution: OBJECTS.distribution,
  variogram_model: OBJECTS.variogram,
  kriging_method: 'simple',
  block_discretization: { nx: 2, ny: 2, nz: 1 },
  number_of_lines: 500,
  realizations: 10,
  random_seed: 38239342,
};
