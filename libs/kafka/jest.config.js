// One jest project for the Kafka libraries (client, ingest, testing): the workspace's jest run picks up libs/*/jest.config.js.
module.exports = { ...require('../../jest.preset'), displayName: 'kafka', rootDir: __dirname };
