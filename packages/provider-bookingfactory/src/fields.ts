/** Reads a dotted path (`customer.first_name`, `''` = the value itself) from parsed JSON. */
export function readPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let node = value;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A string or number as a trimmed string; anything else is absent. */
export function readText(value: unknown, path: string): string | null {
  const raw = readPath(value, path);
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw === 'string' && raw.trim()) return raw.trim();
  return null;
}

/** Sets a dotted path, creating objects on the way (request bodies). */
export function writePath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = next && typeof next === 'object' ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

/** Fills `{name}` placeholders with URL-encoded values; an unknown placeholder is an error. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}
