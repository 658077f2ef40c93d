import { ConfigurableModuleBuilder } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import type { SseModuleOptions } from './sse-module-options.interface.js';

/**
 * Options of the module itself, known when it is imported.
 * @publicApi
 */
export interface SseModuleExtras {
  /** Makes `NotificationService` injectable everywhere without importing the module again. */
  isGlobal: boolean;
  /** Prefix of every route of the module (`/sse`, `/notifications/...`). */
  path: string;
}

/** Token of the module's route prefix (the `path` extra), '' when none. */
export const SSE_ROUTE_PATH = Symbol('SseRoutePath');

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: SSE_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SseModuleOptions>({ moduleName: 'Sse' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createSseOptions')
  .setExtras<SseModuleExtras>({ isGlobal: false, path: '' }, (definition, { isGlobal, path }) => ({
    ...definition,
    global: isGlobal,
    // Nest's router mounts the controllers under `path`; the HTTP-server stream route matches
    // the path itself (Nest's router is not asked), so it gets the prefix as a provider.
    imports: path
      ? [...(definition.imports ?? []), RouterModule.register([{ path, module: definition.module }])]
      : definition.imports,
    providers: [...(definition.providers ?? []), { provide: SSE_ROUTE_PATH, useValue: path }],
  }))
  .build();
