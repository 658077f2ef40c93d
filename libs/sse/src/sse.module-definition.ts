import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SseModuleOptions } from './sse-module-options.interface.js';
import { SSE_ROUTE_PATH } from './sse-resolved-options.js';

/** Options of the module itself, known when it is imported. */
export interface SseModuleExtras {
  /** Makes `NotificationService` injectable everywhere without importing the module again. */
  isGlobal: boolean;
  /** Prefix of every route of the module (`/sse`, `/notifications/...`). */
  path: string;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: SSE_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SseModuleOptions>({ moduleName: 'Sse' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSseOptions')
  .setExtras<SseModuleExtras>({ isGlobal: false, path: '' }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    // The HTTP-server stream route matches the path itself; Nest's router is not asked.
    providers: [...(definition.providers ?? []), { provide: SSE_ROUTE_PATH, useValue: extras.path }],
  }))
  .build();
