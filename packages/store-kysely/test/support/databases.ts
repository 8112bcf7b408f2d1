import pg from 'pg';

/** Create and drop databases on the throwaway server; names are generated, never user input. */
let counter = 0;

export function uniqueDatabaseName(prefix = 'brafa'): string {
  return `${prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  return admin(adminUrl, async (c) => {
    await c.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  });
}

export function dropDatabase(adminUrl: string, name: string): Promise<void> {
  return admin(adminUrl, async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
  });
}
