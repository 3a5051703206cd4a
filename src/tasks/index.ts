/**
 * `evo-compute-temporal/tasks`: the task catalogue with its JSON Schemas, and validation of
 * parameters and results against them. Not for workflow code (the workflow-safe catalogue,
 * without schemas, is in the main entry).
 */
export {
  CATALOGUE_SDK_VERSION,
  CATALOGUE_TASKS,
  type ComputeTask,
  type ComputeTaskInput,
  findCatalogueTask,
  type TaskCatalogue,
  type TaskParameters,
  type TaskResult,
  tasks,
} from '../common/tasks/catalogue';
export { type TaskSchemas, taskSchemas } from './schemas';
export {
  assertTaskParameters,
  checkTaskParameters,
  checkTaskResult,
  type FieldProblem,
  fieldProblems,
  formatFieldProblem,
  InvalidParametersError,
} from './validate';
