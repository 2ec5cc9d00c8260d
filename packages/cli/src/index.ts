/** @gregor/cli: the `gregor` command. `buildProgram()` returns it unparsed (for embedding and tests). */
export { buildProgram } from './program';
