/**
 * @gregor/console: the web console every broker serves on its HTTP port (`WebConsole`, an
 * HttpExtension the CLI wires in), and the JSON API its page reads.
 */
export { WebConsole } from './web-console';
export type { ClusterOverview, GroupView, TopicView } from './console-api';
export type { BrowsedMessages, BrowsedRecord, BrowsedBytes } from './message-browser';
