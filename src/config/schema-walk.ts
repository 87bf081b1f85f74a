/**
 * Reading the config schema as data: which fields an object has, what a field
 * is described as, its default. Used to suggest a key for a typo and to
 * generate docs/config.md. Only this file looks at zod's internal `_zod.def`.
 */
import { z } from 'zod';

type Def = { type: string } & Record<string, unknown>;

function def(schema: z.core.$ZodType): Def {
  return schema._zod.def as unknown as Def;
}

/** Wrapper kinds whose `innerType` is the field's real shape. */
const WRAPPERS = new Set(['optional', 'nonoptional', 'default', 'prefault', 'nullable', 'readonly', 'catch']);

/**
 * The layers of a field from the outside in: `x.prefault(1).describe('..')`
 * gives [prefault, pipe(union -> transform), union]. A pipe counts by its
 * input side (what a config file writes).
 */
export function layers(schema: z.core.$ZodType): z.core.$ZodType[] {
  const out: z.core.$ZodType[] = [];
  let s: z.core.$ZodType | undefined = schema;
  while (s !== undefined) {
    out.push(s);
    const d = def(s);
    if (WRAPPERS.has(d.type)) s = d.innerType as z.core.$ZodType;
    else if (d.type === 'pipe') s = d.in as z.core.$ZodType;
    else s = undefined;
  }
  return out;
}

/** The innermost layer: object, array, record, string, number, ... */
export function core(schema: z.core.$ZodType): z.core.$ZodType {
  return layers(schema).at(-1)!;
}

export function kind(schema: z.core.$ZodType): string {
  return def(core(schema)).type;
}

/** The first `key` in the layers' metadata (`.describe()` / `.meta()`), outermost first. */
export function metaOf(schema: z.core.$ZodType, key: string): unknown {
  for (const layer of layers(schema)) {
    const value = z.globalRegistry.get(layer)?.[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The default as written in the schema (the input form for prefaults), or undefined. */
export function defaultOf(schema: z.core.$ZodType): { value: unknown } | undefined {
  for (const layer of layers(schema)) {
    const d = def(layer);
    if (d.type === 'default' || d.type === 'prefault') return { value: d.defaultValue };
  }
  return undefined;
}

/** Whether a config may leave the field out. */
export function isOptional(schema: z.core.$ZodType): boolean {
  return schema._zod.optin === 'optional';
}

export function shapeOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  const c = core(schema);
  return def(c).type === 'object' ? (def(c).shape as Record<string, z.core.$ZodType>) : undefined;
}

/** Array element or record value schema. */
export function itemOf(schema: z.core.$ZodType): z.core.$ZodType | undefined {
  const d = def(core(schema));
  if (d.type === 'array') return d.element as z.core.$ZodType;
  if (d.type === 'record') return d.valueType as z.core.$ZodType;
  return undefined;
}

/** The schema of the field at `path` (keys and array indexes), or undefined. */
export function schemaAt(root: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let s: z.core.$ZodType | undefined = root;
  for (const key of path) {
    if (s === undefined) return undefined;
    const shape = shapeOf(s);
    s = shape !== undefined && typeof key === 'string' ? shape[key] : itemOf(s);
  }
  return s;
}
