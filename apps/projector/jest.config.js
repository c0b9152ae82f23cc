module.exports = { ...require('../../jest.preset'), displayName: 'projector', rootDir: __dirname };
