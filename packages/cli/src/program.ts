import { Command } from 'commander';
import { brokerCommand } from './commands/broker';
import { clusterCommand } from './commands/cluster';
import { consumeCommand } from './commands/consume';
import { groupCommand } from './commands/group';
import { offsetsCommand } from './commands/offsets';
import { produceCommand } from './commands/produce';
import { topicCommand } from './commands/topic';
import { defaultBroker } from './options';

export function buildProgram(): Command {
  return new Command('gregor')
    .description('Gregor: a Kafka-style commit-log broker')
    .option('-b, --broker <host:port,...>', 'bootstrap broker(s), comma-separated (env GREGOR_BROKER)', defaultBroker())
    .showHelpAfterError()
    .addCommand(brokerCommand())
    .addCommand(topicCommand())
    .addCommand(clusterCommand())
    .addCommand(produceCommand())
    .addCommand(consumeCommand())
    .addCommand(offsetsCommand())
    .addCommand(groupCommand());
}
