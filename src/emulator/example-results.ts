/**
 * Results for an emulated catalogue job: the smallest object that satisfies the task's result
 * model (JSON Schema), filled in from the request where the names line up (the target object and
 * attribute the request named), so that a client parses them as it would the service's.
 */
type Schema = Record<string, unknown>;

interface Context {
  root: Schema;
  /** The request's parameters: `target.object` and `target.attribute.name` are echoed. */
  parameters: Record<string, unknown>;
  /** Shown in `message`. */
  label: string;
}

function resolve(schema: Schema, ctx: Context): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace(/^#\/\$defs\//, '');
  const defs = ctx.root.$defs as Record<string, Schema> | undefined;
  const found = defs?.[name];
  if (!found) throw new Error(`result schema has no definition ${ref}`);
  return resolve(found, ctx);
}

function text(path: readonly string[], ctx: Context): string {
  const field = path.at(-1) ?? '';
  // `target` is `{ object, attribute }` (kriging, IDW, …) or the object's URL itself (simulations).
  const target = ctx.parameters.target as Record<string, unknown> | string | undefined;
  const targetObject =
    typeof target === 'string' ? target : typeof target?.object === 'string' ? target.object : undefined;
  const attribute =
    typeof target === 'object' ? (target.attribute as Record<string, unknown> | undefined) : undefined;
  if (path.join('.') === 'message') return `${ctx.label} complete`;
  if (path.join('.') === 'target.reference' && targetObject) return targetObject;
  if (path.join('.') === 'target.attribute.name' && typeof attribute?.name === 'string')
    return attribute.name;
  if (field === 'schema_id')
    return '/objects/regular-masked-3d-grid/1.2.0/regular-masked-3d-grid.schema.json';
  if (field === 'reference' || field.endsWith('_url') || field === 'url') {
    return `https://emulator.invalid/${path.join('/')}`;
  }
  return `emulated ${field}`;
}

function example(input: Schema, path: readonly string[], ctx: Context): unknown {
  const schema = resolve(input, ctx);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const option = (options as Schema[]).find((o) => resolve(o, ctx).type !== 'null') ?? options[0];
      return example(option as Schema, path, ctx);
    }
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...(schema.allOf as Schema[]).map((part) => example(part, path, ctx)));
  }
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(
        required.map((name) => [name, example(properties[name] ?? {}, [...path, name], ctx)]),
      );
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 1;
      return Array.from({ length: count }, (_, i) =>
        example((schema.items ?? {}) as Schema, [...path, String(i)], ctx),
      );
    }
    case 'string':
      return text(path, ctx);
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** The results of an emulated catalogue job: valid against `resultSchema`. */
export function exampleResults(
  resultSchema: Schema,
  parameters: Record<string, unknown>,
  label: string,
): Record<string, unknown> {
  return example(resultSchema, [], { root: resultSchema, parameters, label }) as Record<string, unknown>;
}
