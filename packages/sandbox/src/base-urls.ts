import type { Vendor } from './world/types.js';

/** Where each vendor lives for msw (real hosts by default, so adapters need no special config). */
export type BaseUrls = Record<Vendor, string | string[]>;

export const defaultBaseUrls: BaseUrls = {
  mews: ['https://api.mews-demo.com', 'https://api.mews.com'],
  beds24: ['https://beds24.com/api/v2', 'https://api.beds24.com/v2'],
  sciener: ['https://euapi.ttlock.com', 'https://cnapi.ttlock.com', 'https://api.sciener.com'],
  tbf: 'https://app.thebookingfactory.com',
};
