import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SseModuleOptions } from './sse-module-options.interface.js';

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
  }))
  .build();
