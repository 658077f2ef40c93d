import type { ClientId } from './client-id.js';
import type { Topic } from './topic.js';

/** Who an event is for: one client (all its connections), a topic's subscribers, or everyone. */
export type EventTarget =
  | { readonly kind: 'client'; readonly clientId: ClientId }
  | { readonly kind: 'topic'; readonly topic: Topic }
  | { readonly kind: 'broadcast' };

export type EventTargetKind = EventTarget['kind'];

export const toClient = (clientId: ClientId): EventTarget => ({ kind: 'client', clientId });
export const toTopic = (topic: Topic): EventTarget => ({ kind: 'topic', topic });
export const toEveryone = (): EventTarget => ({ kind: 'broadcast' });
