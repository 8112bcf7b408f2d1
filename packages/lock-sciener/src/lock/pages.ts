import type { Logger } from '@brafa/core';
import { TransientError } from '@brafa/core';
import type { z } from 'zod';
import type { JsonBody } from '../client/http.js';
import { listPage } from './wire.js';

/** A runaway `pages` value must not turn into an endless loop that burns the monthly quota. */
const MAX_PAGES = 500;

/**
 * Every item of a paged TTLock list, page by page (`pageNo` from 1 until `pageNo >= pages`).
 * Items that do not match the schema are skipped with a warning: one odd record must not hide
 * the others from a drift audit.
 */
export async function* allPages<S extends z.ZodType>(
  fetchPage: (pageNo: number) => Promise<JsonBody>,
  item: S,
  what: string,
  logger: Logger,
): AsyncIterable<z.output<S>> {
  for (let pageNo = 1; pageNo <= MAX_PAGES; pageNo++) {
    const parsed = listPage.safeParse(await fetchPage(pageNo));
    if (!parsed.success) {
      throw new TransientError(`TTLock ${what} page ${pageNo} has no "list" array`, { code: 'bad_list' });
    }
    for (const [index, raw] of parsed.data.list.entries()) {
      const one = item.safeParse(raw);
      if (one.success) yield one.data;
      // Only the position and the failing fields: the record may hold digits or lock secrets.
      else
        logger.warn(`TTLock ${what}: skipped a malformed item`, {
          pageNo,
          index,
          issues: one.error.issues.map((i) => i.path.join('.')),
        });
    }
    const pages = parsed.data.pages;
    const done = pages === undefined ? parsed.data.list.length === 0 : pageNo >= pages;
    if (done) return;
  }
  throw new TransientError(`TTLock ${what} reports more than ${MAX_PAGES} pages; refusing to page further`, {
    code: 'too_many_pages',
  });
}
