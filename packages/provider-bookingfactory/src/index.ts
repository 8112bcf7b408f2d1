export { type FetchLike, TbfClient, type TbfClientOptions } from './client.js';
export {
  DEFAULT_TBF_CONTRACT,
  defineTbfContract,
  type TbfContract,
  type TbfContractOverrides,
} from './contract.js';
export { mapReservation, mapStatus } from './mapping.js';
export { type BookingFactoryProviderOptions, createBookingFactoryProvider } from './provider.js';
