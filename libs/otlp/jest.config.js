module.exports = { ...require('../../jest.preset'), displayName: 'otlp', rootDir: __dirname };
