module.exports = { ...require('../../jest.preset'), displayName: 'ingestor', rootDir: __dirname };
