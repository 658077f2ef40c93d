import type { ClientCommands, DisconnectCommand, DisconnectHandler, Unsubscribe } from '../../domain/index.js';

/** Client commands within one process: the embedded hub is one instance. */
export class InMemoryClientCommandsAdapter implements ClientCommands {
  private handler?: DisconnectHandler;

  async disconnect(command: DisconnectCommand): Promise<number> {
    return this.handler ? this.handler(command) : 0;
  }

  onDisconnect(handler: DisconnectHandler): Unsubscribe {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }
}
