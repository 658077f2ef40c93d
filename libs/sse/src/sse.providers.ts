import type { Provider } from '@nestjs/common';
import { HubSettings } from './application/hub-settings.js';
import { sseAuthenticatorProvider } from './auth/sse-authenticator.provider.js';
import { sseJwtProvider } from './auth/sse-jwt.provider.js';
import { ClientCommands, EventHistory, EventTransport, SubscriptionRegistry } from './domain/index.js';
import { SseAdapterSet } from './sse-adapter-set.js';
import { SSE_MODULE_OPTIONS } from './sse.module-definition.js';
import type { SseModuleOptions } from './sse-module-options.interface.js';
import { resolveSseOptions, SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from './sse-resolved-options.js';

const optionsProviders: Provider[] = [
  {
    provide: SSE_RESOLVED_OPTIONS,
    useFactory: (options: SseModuleOptions) => resolveSseOptions(options),
    inject: [SSE_MODULE_OPTIONS],
  },
  {
    // The resolved options themselves, seen through the application layer's interface: a
    // setting the application reads is a field of both, never copied (the return type is the
    // compiler's check that every HubSettings field is an option).
    provide: HubSettings,
    useFactory: (options: ResolvedSseOptions): HubSettings => options,
    inject: [SSE_RESOLVED_OPTIONS],
  },
  sseJwtProvider,
  sseAuthenticatorProvider,
];

/** The ports, bound to whatever adapters the adapter set built or was given. */
const portProviders: Provider[] = [
  { provide: SseAdapterSet, useFactory: SseAdapterSet.create, inject: [SSE_RESOLVED_OPTIONS] },
  { provide: EventHistory, useFactory: (set: SseAdapterSet) => set.history, inject: [SseAdapterSet] },
  { provide: EventTransport, useFactory: (set: SseAdapterSet) => set.transport, inject: [SseAdapterSet] },
  { provide: ClientCommands, useFactory: (set: SseAdapterSet) => set.commands, inject: [SseAdapterSet] },
  {
    provide: SubscriptionRegistry,
    useFactory: (set: SseAdapterSet) => set.registry,
    inject: [SseAdapterSet],
  },
];

export const SSE_PROVIDERS: Provider[] = [...optionsProviders, ...portProviders];
