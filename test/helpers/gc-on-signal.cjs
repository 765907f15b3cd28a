// Preloaded into a server under test (NODE_OPTIONS=--require): SIGUSR2 runs a full garbage
// collection, so a test reads the resident memory that is held, not garbage not yet collected.
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
process.on('SIGUSR2', () => {
  gc();
  process.stdout.write('gc done\n');
});
