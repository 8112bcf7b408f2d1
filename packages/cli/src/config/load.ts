import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type BrafaConfig, configSchema } from './schema.js';

/** A config problem; the message names the file and the key. Exit code 1. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * `${NAME}` in any string value is replaced by the environment variable NAME; a missing
 * variable is an error naming the key that uses it (an empty secret must never slip through).
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined)
        throw new ConfigError(`${path.join('.') || '(root)'}: environment variable ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k])]),
    );
  }
  return value;
}

export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv = process.env,
  source = 'config',
): BrafaConfig {
  const substituted = substituteEnv(raw, env);
  const result = configSchema.safeParse(substituted);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.map(String).join('.') || '(root)';
    const unknown = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    throw new ConfigError(`${source}: ${key}: ${issue.message}${unknown}`);
  }
  const ids = new Set<string>();
  for (const p of result.data.properties) {
    if (ids.has(p.id)) throw new ConfigError(`${source}: properties: duplicate property id ${p.id}`);
    ids.add(p.id);
  }
  return result.data;
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<BrafaConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, env, path);
}
