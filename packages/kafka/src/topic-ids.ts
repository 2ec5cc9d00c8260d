/** Kafka's 16-byte topic id for a Gregor topic id (hex digits, 16 of them today): zero-padded on the right. */
export function kafkaTopicId(topicId: string): Buffer {
  const id = Buffer.alloc(16);
  Buffer.from(topicId.slice(0, 32), 'hex').copy(id);
  return id;
}
