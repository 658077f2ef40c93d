import { Inject } from '@nestjs/common';
import { EventHistory, EventTransport, SubscriptionRegistry } from './domain/index.js';

/**
 * Injects the hub's `EventHistory` port, whatever adapter backs it.
 * @publicApi
 */
export const InjectEventHistory = (): ParameterDecorator & PropertyDecorator => Inject(EventHistory);

/**
 * Injects the hub's `EventTransport` port.
 * @publicApi
 */
export const InjectEventTransport = (): ParameterDecorator & PropertyDecorator => Inject(EventTransport);

/**
 * Injects the hub's `SubscriptionRegistry` port.
 * @publicApi
 */
export const InjectSubscriptionRegistry = (): ParameterDecorator & PropertyDecorator =>
  Inject(SubscriptionRegistry);
