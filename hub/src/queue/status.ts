/** A delivery's status: pending (due, claimed or waiting for a retry or its target), delivered, or failed (given up). */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
