import type { AnswerOf, ClientCommands, HubCommand, HubCommandHandler, Unsubscribe } from '../../domain/index.js';

/** Hub commands within one process: the embedded hub is one instance. */
export class InMemoryClientCommandsAdapter implements ClientCommands {
  private handler?: HubCommandHandler;

  async ask<C extends HubCommand>(command: C): Promise<AnswerOf<C>[]> {
    return this.handler ? [await this.handler(command)] : [];
  }

  onCommand(handler: HubCommandHandler): Unsubscribe {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }
}
