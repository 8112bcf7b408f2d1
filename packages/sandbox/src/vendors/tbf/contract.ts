/**
 * The Booking Factory has no public reservation or keycode API (bookingfactory.md §3); the pull and
 * write-back contract is an assumption kept in ONE place (bookingfactory.md §5.3) so it can follow
 * whatever TBF confirms under a partner agreement, and the provider's contract file.
 */
export interface TbfContract {
  /** Path prefix of every contract endpoint, e.g. `/api/partner/v1`. */
  basePath: string;
  /** Header carrying the per-hotel API key; TBF's public APIs use `Token: <api key>` (bookingfactory.md §1). */
  authHeader: string;
  /** Optional scheme before the key, e.g. `Bearer`; empty for none. */
  authScheme: string;
  /** `GET {basePath}{listPath}?date_from&date_to&updated_since&page&per_page`. */
  listPath: string;
  /** `GET|PUT|DELETE {basePath}{keycodePath}` with `:id` = reservation id. */
  keycodePath: string;
  /** Default and maximum page size. */
  pageSize: number;
  maxPageSize: number;
}

export const defaultTbfContract: TbfContract = {
  basePath: '/api/partner/v1',
  authHeader: 'Token',
  authScheme: '',
  listPath: '/reservations',
  keycodePath: '/reservations/:id/keycode',
  pageSize: 50,
  maxPageSize: 200,
};
