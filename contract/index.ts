/**
 * The contract between the Zapier app and the subscription hub: everything both sides must
 * agree on, written once. The hub imports nothing of the app but this module.
 */
export * from './event-user';
export * from './events';
export * from './filters';
export * from './hub-api';
export * from './hub-facts';
export * from './json';
export * from './school-url';
export * from './signature';
export * from './tag-change';
export * from './time';
