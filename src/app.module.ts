import { Module } from '@nestjs/common';
import { ConditionalModule, ConfigModule } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { SseModule } from '@app/sse';
import { accessLogEnabled, devTokensEnabled } from './config/env.js';
import { sseConfig } from './config/sse.config.js';
import { DemoModule } from './demo/demo.module.js';
import { DevTokensModule } from './dev-tokens/dev-tokens.module.js';
import { HttpLogModule } from './http-log/http-log.module.js';
import { OpsModule } from './ops/ops.module.js';
import { GracefulShutdownModule } from './shutdown/graceful-shutdown.module.js';

/** The reference app: the hub configured from the environment, plus tools for trying it. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
    EventEmitterModule.forRoot(),
    SseModule.forRootAsync({ ...sseConfig.asProvider(), isGlobal: true }),
    ConditionalModule.registerWhen(DevTokensModule, (env) => devTokensEnabled(env)),
    GracefulShutdownModule,
    OpsModule,
    DemoModule,
    ConditionalModule.registerWhen(HttpLogModule, (env) => accessLogEnabled(env)),
  ],
})
export class AppModule {}
