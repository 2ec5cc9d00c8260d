/** Where a config's value comes from, as Kafka numbers it in CreateTopics and DescribeConfigs. */
export const CONFIG_SOURCE = {
  /** Set on the topic. */
  TOPIC: 1,
  /** Nobody set it: the broker's default. */
  DEFAULT: 5,
} as const;
