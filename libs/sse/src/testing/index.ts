/**
 * `nestjs-sse-hub/testing`: what an adapter author needs to prove an adapter, apart from the
 * runtime entry (which loads nothing of jest). The contract suites declare jest tests, taking
 * `describe`/`it`/`expect` from `@jest/globals`: call them from a jest test file.
 * @publicApi
 */
export {
  eventHistoryContract,
  type EventHistoryHubFactory,
  type EventHistoryHubOptions,
} from './event-history.contract.js';
export {
  eventTransportContract,
  type EventStreamInstance,
  type EventTransportHubFactory,
} from './event-transport.contract.js';
export {
  subscriptionRegistryContract,
  type SubscriptionRegistryHubFactory,
  type SubscriptionRegistryHubOptions,
} from './subscription-registry.contract.js';
export { eventually, type HubFixture, type MaybeClosable } from './hub-fixture.js';
