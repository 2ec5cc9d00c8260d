import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { brokerCommand } from './commands/broker';
import { clusterCommand } from './commands/cluster';
import { controllerCommand } from './commands/controller';
import { consumeCommand } from './commands/consume';
import { groupCommand } from './commands/group';
import { mqttCommand } from './commands/mqtt';
import { offsetsCommand } from './commands/offsets';
import { produceCommand } from './commands/produce';
import { topicCommand } from './commands/topic';
import { reassignmentCommand } from './commands/reassignment';
import { defaultBroker } from './options';

/** This package's version; package.json sits one level above both src/ and dist/. */
function cliVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  return new Command('gregor')
    .description('Gregor: a Kafka-style commit-log broker')
    .version(cliVersion(), '-V, --version', 'print the version of gregor')
    .option('-b, --broker <host:port,...>', 'bootstrap broker(s), comma-separated (env GREGOR_BROKER)', defaultBroker())
    .showHelpAfterError()
    .addCommand(brokerCommand())
    .addCommand(topicCommand())
    .addCommand(clusterCommand())
    .addCommand(controllerCommand())
    .addCommand(produceCommand())
    .addCommand(consumeCommand())
    .addCommand(offsetsCommand())
    .addCommand(groupCommand())
    .addCommand(reassignmentCommand())
    .addCommand(mqttCommand());
}
