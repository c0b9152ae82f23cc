module.exports = { ...require('../../jest.preset'), displayName: 'xapi', rootDir: __dirname };
