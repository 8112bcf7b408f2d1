import Database from 'better-sqlite3';

export interface Execution {
  sql: string;
  parameters: number;
}

/**
 * A better-sqlite3 database that records every statement compiled and every execution, to
 * check transaction boundaries, chunk sizes and statement reuse from the outside.
 */
export interface SpiedDatabase {
  database: Database.Database;
  raw: Database.Database;
  /** SQL texts compiled, in order. */
  prepared: string[];
  executed: Execution[];
}

export function spyDatabase(filename = ':memory:'): SpiedDatabase {
  const database = new Database(filename);
  const prepared: string[] = [];
  const executed: Execution[] = [];
  const record = (sql: string, args: unknown[]) => {
    const first = args[0];
    executed.push({ sql, parameters: Array.isArray(first) ? first.length : args.length });
  };
  const spied = new Proxy(database, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (sql: string) => {
          prepared.push(sql);
          const statement = target.prepare(sql);
          return new Proxy(statement, {
            get(st, p) {
              const value = Reflect.get(st, p, st);
              if (
                (p === 'run' || p === 'all' || p === 'get' || p === 'iterate') &&
                typeof value === 'function'
              ) {
                return (...args: unknown[]) => {
                  record(sql, args);
                  return (value as (...a: unknown[]) => unknown).apply(st, args);
                };
              }
              return typeof value === 'function' ? value.bind(st) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { database: spied, raw: database, prepared, executed };
}
