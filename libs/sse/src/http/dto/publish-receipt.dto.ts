import type { PublishReceipt } from '../../application/notification.service.js';

/** The answer to a publish (documentation of `PublishReceipt`). */
export class PublishReceiptDto implements PublishReceipt {
  id!: string;

  delivered!: number;

  repeated?: boolean;
}
