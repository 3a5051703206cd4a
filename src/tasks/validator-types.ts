/** The shape of a generated validators module (src/tasks/generated/<topic>/<task>.ts). */

/** One Ajv error, as the precompiled validators report them. */
export interface ValidatorError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** A precompiled Ajv validate function: `errors` holds the last call's errors. */
export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ValidatorError[] | null;
}

export interface TaskValidators {
  validateParameters: ValidateFunction;
  validateResult: ValidateFunction;
}
