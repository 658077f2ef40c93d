/** Returned by every port method that registers a handler: call it to stop receiving. */
export type Unsubscribe = () => void;
