// esbuild bundles one handler per core at a time (serverless.yml custom.esbuild.concurrency).
const { availableParallelism } = require('node:os');

module.exports.concurrency = () => availableParallelism();
