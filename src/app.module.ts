import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { SseModule } from 'nestjs-sse-hub';
import { demoFeedEnabled, devTokensEnabled } from './config/env.js';
import { sseConfig } from './config/sse.config.js';
import { DemoFeedModule } from './demo/demo-feed.module.js';
import { DemoModule } from './demo/demo.module.js';
import { DevTokensModule } from './dev-tokens/dev-tokens.module.js';
import { OpsModule } from './ops/ops.module.js';
import { TracingModule } from './tracing/tracing.module.js';

/** The reference app: the hub configured from the environment, plus tools for trying it. */
@Module({})
export class AppModule {
  /**
   * Reads the environment when called (not once when the file loads), so each app built in one
   * process, as the tests do, gets its own set-up.
   */
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        TracingModule.forRoot(env),
        EventEmitterModule.forRoot(),
        SseModule.forRootAsync({ ...sseConfig.asProvider(), isGlobal: true }),
        OpsModule,
        DemoModule,
        ...(demoFeedEnabled(env) ? [DemoFeedModule] : []),
        ...(devTokensEnabled(env) ? [DevTokensModule] : []),
      ],
    };
  }
}
