module.exports = { ...require('../../jest.preset'), displayName: 'projections', rootDir: __dirname };
