module.exports = { ...require('../../jest.preset'), displayName: 'http-kit', rootDir: __dirname };
