module.exports = { ...require('../../jest.preset'), displayName: 'event-store-eventstoredb', rootDir: __dirname };
