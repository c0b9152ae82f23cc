module.exports = { ...require('../../jest.preset'), displayName: 'training-api', rootDir: __dirname };
