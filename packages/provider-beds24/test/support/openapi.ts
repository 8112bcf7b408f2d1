import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * The official Beds24 OpenAPI 3.0 file, loaded with `yaml`, every `$ref` inlined, and
 * OpenAPI's `nullable: true` turned into a JSON-Schema `null` type, so ajv validates fixtures
 * against exactly what Beds24 publishes.
 */
// A verbatim copy of the official file (shared/reference/beds24-openapi-v2.yaml), kept in the
// repository so the test runs on a clean clone.
const SPEC_PATH = fileURLToPath(new URL('../fixtures/beds24-openapi-v2.yaml', import.meta.url));

type Schema = { [key: string]: unknown };

export const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Schema;

function pointer(ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => {
      const next = (node as Schema | undefined)?.[key];
      if (next === undefined) throw new Error(`unresolvable $ref ${ref}`);
      return next;
    }, spec);
}

/** Inline `$ref`s (refusing cycles) and translate `nullable`. */
export function resolve(node: unknown, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => resolve(n, seen));
  if (!node || typeof node !== 'object') return node;
  const obj = node as Schema;
  if (typeof obj.$ref === 'string') {
    if (seen.includes(obj.$ref)) throw new Error(`cyclic $ref ${obj.$ref}`);
    return resolve(pointer(obj.$ref), [...seen, obj.$ref]);
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(obj)) {
    // Examples are documentation (and some in this file are not even valid JSON Schema values).
    if (key === 'example' || key === 'examples' || key === 'nullable') continue;
    out[key] = resolve(value, seen);
  }
  if (obj.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

export function operation(path: string, method: string): Schema {
  const op = ((spec.paths as Schema)[path] as Schema | undefined)?.[method] as Schema | undefined;
  if (!op) throw new Error(`no ${method} ${path} in the spec`);
  return op;
}

export function responseSchema(path: string, method: string, status: string): Schema {
  const responses = operation(path, method).responses as Schema;
  const content = (responses[status] as Schema).content as Schema;
  return resolve((content['application/json'] as Schema).schema) as Schema;
}

export function requestSchema(path: string, method: string): Schema {
  const body = operation(path, method).requestBody as Schema;
  return resolve(((body.content as Schema)['application/json'] as Schema).schema) as Schema;
}

export function requestExample(path: string, method: string, name: string): unknown {
  const body = operation(path, method).requestBody as Schema;
  const examples = ((body.content as Schema)['application/json'] as Schema).examples as Schema;
  return (examples[name] as Schema).value;
}

export function compile(schema: Schema): ValidateFunction {
  return ajv.compile(schema);
}

export function errorsOf(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.keyword}: ${e.message}`,
  );
}

/** The same schema without any `required` list (Beds24's updates send only `id` + changes). */
export function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema))
    if (key !== 'required') out[key] = withoutRequired(value);
  return out;
}

function declared(schema: Schema): { properties: Map<string, Schema[]>; items: Schema[] } {
  const properties = new Map<string, Schema[]>();
  const items: Schema[] = [];
  const visit = (s: Schema) => {
    for (const [k, v] of Object.entries((s.properties as Schema | undefined) ?? {})) {
      properties.set(k, [...(properties.get(k) ?? []), v as Schema]);
    }
    if (s.items) items.push(s.items as Schema);
    for (const part of [...((s.allOf as Schema[]) ?? []), ...((s.anyOf as Schema[]) ?? [])]) visit(part);
  };
  visit(schema);
  return { properties, items };
}

/**
 * Keys in `value` the schema does not declare. The spec never sets
 * `additionalProperties: false`, so ajv alone would accept a misspelt field; this catches it.
 */
export function undeclaredKeys(schema: Schema, value: unknown, at = ''): string[] {
  const { properties, items } = declared(schema);
  if (Array.isArray(value)) {
    return items.length ? value.flatMap((v, i) => undeclaredKeys({ allOf: items }, v, `${at}/${i}`)) : [];
  }
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Schema).flatMap(([key, v]) => {
    const schemas = properties.get(key);
    if (!schemas) return [`${at}/${key}`];
    // A key declared by several `allOf` parts may use the properties of any of them.
    return undeclaredKeys({ allOf: schemas }, v, `${at}/${key}`);
  });
}

/**
 * Two places where the published schema contradicts Beds24's own documentation, applied
 * explicitly (and only these) so the rest of the file is used as published:
 * 1. `masterId` is `integer`, yet its description says "If set to null then the booking is not
 *    in a group" and real responses carry `"masterId": null` (beds24.md §3.3).
 * 2. Request info items declare only `code`, `text`, `bookingId`, yet the operation's
 *    description and its `modifyInfoItem`/`deleteInfoItem` examples address items by `id`.
 */
export function withKnownGaps(node: unknown, parentKey = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => withKnownGaps(n, parentKey));
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) out[key] = withKnownGaps(value, key);
  const props = out.properties as Schema | undefined;
  if (props?.masterId && (props.masterId as Schema).type === 'integer') {
    props.masterId = { ...(props.masterId as Schema), type: ['integer', 'null'] };
  }
  if (
    parentKey === 'items' &&
    props &&
    'code' in props &&
    'text' in props &&
    'bookingId' in props &&
    !('id' in props)
  ) {
    out.properties = { id: { type: 'integer' }, ...props };
  }
  return out;
}
