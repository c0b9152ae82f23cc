module.exports = { ...require('../../jest.preset'), displayName: 'training-impact', rootDir: __dirname };
