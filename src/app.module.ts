import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { SseModule } from '@app/sse';
import { devTokensEnabled } from './config/env.js';
import { sseConfig } from './config/sse.config.js';
import { DevTokensModule } from './dev-tokens/dev-tokens.module.js';

/** The reference app: the hub configured from the environment, plus tools for trying it. */
@Module({})
export class AppModule {
  /** Reads the environment when called, so each app built in one process gets its own set-up. */
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        EventEmitterModule.forRoot(),
        SseModule.forRootAsync({ ...sseConfig.asProvider(), isGlobal: true }),
        ...(devTokensEnabled(env) ? [DevTokensModule] : []),
      ],
    };
  }
}
